#!yaml
base: {}
