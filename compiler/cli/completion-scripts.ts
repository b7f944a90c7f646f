/**
 * The three shell scripts `dsl completion SHELL` prints. Each is thin: it hands the words typed so far to
 * `dsl __complete` and shows what comes back (one `value<TAB>description` a line, then a last line `:none`,
 * `:files` or `:dirs` asking the shell for its own path completion), so all the knowledge of commands,
 * flags and values lives in one place, in TypeScript. The command is called by the name the user typed
 * (`dsl`, `./node_modules/.bin/dsl`), so a project-local install completes too.
 */

export const SHELLS = ['bash', 'zsh', 'fish'] as const
export type Shell = (typeof SHELLS)[number]

const BASH = `# dsl completion for bash: source <(dsl completion bash)
_dsl() {
  local cur=\${COMP_WORDS[COMP_CWORD]} out directive line
  out=$("\${COMP_WORDS[0]}" __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) || return 0
  directive=\${out##*$'\\n'}
  [[ $out == *$'\\n'* ]] && out=\${out%$'\\n'*} || out=
  COMPREPLY=()
  compopt -o nosort 2>/dev/null # the order given: newest generation first
  case $directive in
    :files) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return 0 ;;
    :dirs) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -d -- "$cur"); return 0 ;;
  esac
  while IFS= read -r line; do
    [[ -n $line ]] && COMPREPLY+=("\${line%%$'\\t'*}")
  done <<< "$out"
}
complete -o default -F _dsl dsl
`

const ZSH = `#compdef dsl
# dsl completion for zsh: source <(dsl completion zsh)   (after compinit)
_dsl() {
  local out directive line
  local -a lines cands
  out=$("\${words[1]}" __complete "\${(@)words[2,CURRENT]}" 2>/dev/null) || return 1
  lines=("\${(@f)out}")
  directive=\${lines[-1]}
  lines=("\${(@)lines[1,-2]}")
  case $directive in
    :files) _files; return ;;
    :dirs) _files -/; return ;;
  esac
  for line in "\${lines[@]}"; do
    [[ -z $line ]] && continue
    if [[ $line == *$'\\t'* ]]; then
      cands+=("\${\${line%%$'\\t'*}//:/\\\\:}:\${line#*$'\\t'}")
    else
      cands+=("\${line//:/\\\\:}")
    fi
  done
  (( \${#cands} )) && _describe -V dsl cands
}
if (( $+functions[compdef] )); then compdef _dsl dsl; fi
`

const FISH = `# dsl completion for fish: dsl completion fish > ~/.config/fish/completions/dsl.fish
function __dsl_complete
    set -l typed (commandline -opc)
    set -l out ($typed[1] __complete $typed[2..-1] (commandline -ct) 2>/dev/null)
    or return
    set -l directive $out[-1]
    set -e out[-1]
    switch $directive
        case :files
            __fish_complete_path (commandline -ct)
        case :dirs
            __fish_complete_directories (commandline -ct)
        case '*'
            printf '%s\\n' $out
    end
end
complete -c dsl -f -k -a '(__dsl_complete)'
`

export const SCRIPTS: Record<Shell, string> = { bash: BASH, zsh: ZSH, fish: FISH }
