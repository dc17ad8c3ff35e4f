#!/bin/sh
# bind_types.sh SRC CC...: the binder's types are checked at compile time. SRC with CASE=0 must
# compile; with each other CASE (a value of a type the binder does not take, or a literal format
# that does not match its values: that check needs an optimised build, hence -O2) it must not.
src=$1
shift
fail=0
"$@" -std=gnu11 -O2 -c -o /dev/null -Wall -Wextra -Werror -Wno-unused-parameter -D_GNU_SOURCE -DCASE=0 "$src" || { echo "CASE=0 (good calls) does not compile"; fail=1; }
n=$(grep -c '^#elif CASE ==' "$src")
i=1
while [ "$i" -le "$n" ]; do
    if "$@" -std=gnu11 -O2 -c -o /dev/null -D_GNU_SOURCE -DCASE=$i "$src" 2>/dev/null; then
        echo "CASE=$i compiles, but the binder should refuse it"
        fail=1
    fi
    i=$((i + 1))
done
[ $fail = 0 ] && echo "ok: the good calls compile, $n bad ones do not"
exit $fail
