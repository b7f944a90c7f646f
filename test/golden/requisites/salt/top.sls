#!yaml
base:
  '*':
    - req.base
    - req.app
