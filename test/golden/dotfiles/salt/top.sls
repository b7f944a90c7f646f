#!yaml
base:
  '*':
    - dotfiles
