#!/usr/bin/env bash
# Run `ansible-test sanity` on this checkout.
#
# ansible-test only works inside .../ansible_collections/<namespace>/<name>/, so the collection's
# files (tracked, plus untracked files that are not ignored, so it works before a commit) are copied
# into a tree of that shape, and ansible-test runs there.
#
# Each sanity test runs in its own virtualenv (--venv) with the linters pinned by ansible-test itself,
# installed from PyPI on first use and reused from ~/.ansible/test/venv afterwards.
#
# Usage: tests/sanity/run.sh [ansible-test sanity options...]
#   tests/sanity/run.sh --test pep8          # one test
#   tests/sanity/run.sh --list-tests         # what would run
# ansible-test's own output (e.g. tests/output/junit) is in
# tests/output/sanity/ansible_collections/phonefleet/provisioning/tests/output.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
python_version=3.11

ansible_test=$repo/.venv/bin/ansible-test
if [[ ! -x $ansible_test ]]; then
    ansible_test=$(command -v ansible-test) || {
        echo "run.sh: ansible-test not found; run 'make setup' first" >&2
        exit 2
    }
fi

# The shellcheck linter is a Debian package, not a Python one; without it ansible-test skips that
# sanity test with only a warning, so install it when we can (CI runs as root on Debian).
if ! command -v shellcheck >/dev/null; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        echo "run.sh: installing shellcheck (Debian package)"
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -qq --no-install-recommends shellcheck >/dev/null ||
            { apt-get update -qq && apt-get install -y -qq --no-install-recommends shellcheck >/dev/null; }
    else
        echo "run.sh: shellcheck is missing and cannot be installed here; ansible-test will skip it" >&2
    fi
fi

# ansible-test bootstraps pip into each virtualenv with a get-pip.py downloaded from a host that is not
# PyPI (unreachable here); it uses a cached copy when there is one. Put our stand-in there (see it).
pip_version=$("${ansible_test%/*}/python" -c '
import types
from ansible_test._internal.python_requirements import get_venv_packages
print(get_venv_packages(types.SimpleNamespace(version="'"$python_version"'"))["pip"])' 2>/dev/null) || pip_version=24.2
get_pip_cache=$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py
get_pip_standin=$repo/tests/sanity/tools/get_pip.py
# (a real get-pip.py put there by hand is left alone; an older copy of the stand-in is refreshed)
if [[ ! -e $get_pip_cache ]] ||
    { grep -q 'Stand-in for the get-pip.py' "$get_pip_cache" && ! cmp -s "$get_pip_standin" "$get_pip_cache"; }; then
    mkdir -p "${get_pip_cache%/*}"
    cp "$get_pip_standin" "$get_pip_cache"
fi

# The copy lives in tests/output/sanity (ignored by git, removed by `make clean`) and is refreshed on
# every run: keeping it keeps the virtualenv ansible-test makes for itself there (about 10 s a run).
work=$repo/tests/output/sanity
dest=$work/ansible_collections/phonefleet/provisioning
mkdir -p "$dest/tests"
exec 9>"$work/.lock"
flock 9 # one run at a time on this tree
find "$dest" -mindepth 1 -maxdepth 1 ! -name .git ! -name tests -exec rm -rf -- {} +
find "$dest/tests" -mindepth 1 -maxdepth 1 ! -name output -exec rm -rf -- {} +

# Not part of the collection: the link that lets playbooks in the checkout find the collection,
# and CI's entry point.
excluded='^(collections/|\.ci/)'

cd "$repo"
git ls-files -z --cached --others --exclude-standard |
    grep -zEv "$excluded" |
    while IFS= read -r -d '' path; do
        # a tracked file deleted in the work tree is not part of what is being tested
        if [[ -e $path || -L $path ]]; then printf '%s\0' "$path"; fi
    done |
    tar --null --files-from=- -cf - | tar -xf - -C "$dest"

# A git repository of its own, so ansible-test lists exactly these files rather than walking up into
# the checkout's repository (where tests/output is ignored). Nothing is committed.
cd "$dest"
[[ -d .git ]] || git init -q
git add -A

echo "run.sh: ansible-test sanity on $(git ls-files | wc -l) files ($("$ansible_test" --version))"
# Plain output for CI logs. ansible-test exits non-zero on any error, and so does this script.
log=$work/last-run.log
set +e
"$ansible_test" sanity --venv --python "$python_version" --color no "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# ansible-test lists the failed tests but says nothing on success: close with a count either way.
ran=$(grep -c '^Running sanity test' "$log" || true)
failed=$(sed -n 's/^FATAL: The \([0-9]*\) sanity test(s) listed below.*/\1/p' "$log")
if [[ $status -ne 0 && -z $failed ]]; then
    echo "run.sh: ansible-test failed (exit status $status) before reporting test results"
elif ((ran > 0)); then
    echo "sanity: $((ran - ${failed:-0})) passed, ${failed:-0} failed"
fi
exit "$status"
