# Sourced by the benchmark scripts: sets PYTHON to an interpreter that imports torch (python3 on
# the PATH if it does, else Debian's /usr/bin/python3, unless PYTHON is set), or exits with a
# message naming the calling script.
if [[ -z ${PYTHON:-} ]]; then
	if python3 -c 'import torch' 2>/dev/null; then PYTHON=python3; else PYTHON=/usr/bin/python3; fi
fi
if ! "$PYTHON" -c 'import torch' 2>/dev/null; then
	echo "$(basename "$0"): $PYTHON cannot import torch; install it (apt-get install python3-torch) or set PYTHON" >&2
	exit 1
fi
