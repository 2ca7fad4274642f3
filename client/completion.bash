# bash completion for alien, alien-<cmd> and alien_<cmd> (jaliend).
# Command names and grid paths come from jaliend (`alien --complete`), which
# answers from a 5-second cache of directory listings; paths are relative to
# this terminal's grid cwd. Candidates are shell-quoted (printf %q): they are
# names the service sent. Installed as bash-completion/completions/alien.

_alien_complete()
{
	local cur=${COMP_WORDS[COMP_CWORD]} kind=path prog=${1##*/}
	local IFS=$'\n'

	# `alien <Tab>`: the command itself
	if [[ $prog == alien && $COMP_CWORD -eq 1 && $cur != -* ]]; then
		kind=command
	fi
	# `alien --direct <Tab>` is like `alien <Tab>`
	if [[ $prog == alien && $COMP_CWORD -eq 2 && ${COMP_WORDS[1]} == --direct ]]; then
		kind=command
	fi
	[[ $cur == -* ]] && return 0
	COMPREPLY=($(command alien --complete "$kind" "$cur" 2>/dev/null))
	# names the service sent, inserted as one word each (`x;rm -rf ~` stays a name)
	local i
	for i in "${!COMPREPLY[@]}"; do
		printf -v 'COMPREPLY[i]' '%q' "${COMPREPLY[i]}"
	done
	# a single folder: keep going into it
	if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == */ ]]; then
		compopt -o nospace 2>/dev/null
	fi
	return 0
}

_alien_complete_register()
{
	local names
	names=$(compgen -c alien- 2>/dev/null; compgen -c alien_ 2>/dev/null)
	# shellcheck disable=SC2086
	complete -F _alien_complete alien $(printf '%s\n' $names | sort -u | grep -v -e '^alien-direct$' -e '^alien-shell$')
}
_alien_complete_register
unset -f _alien_complete_register
