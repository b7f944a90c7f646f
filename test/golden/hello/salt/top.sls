#!yaml
base:
  '*':
    - hello
