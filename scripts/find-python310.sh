#!/usr/bin/env bash
# Prints the path of a working Python 3.10 (Rasa 3.6 needs < 3.11): PATH first, then pyenv.
set -u
for candidate in python3.10 python3; do
  path=$(command -v "$candidate" 2>/dev/null) || continue
  if "$path" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
    echo "$path"; exit 0
  fi
done
pyenv_root=${PYENV_ROOT:-$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")}
for path in "$pyenv_root"/versions/3.10*/bin/python3.10; do
  if [ -x "$path" ] && "$path" -c 'import sys' 2>/dev/null; then echo "$path"; exit 0; fi
done
echo "error: Python 3.10 not found (Rasa 3.6 needs Python < 3.11)." >&2
echo "Install it (e.g. 'pyenv install 3.10' or 'apt-get install python3.10') and run make again." >&2
exit 1
