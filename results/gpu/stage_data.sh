#!/usr/bin/env bash
# Pack CIFAR-10 into the checkout so it travels to the device machine (issue 26).
#
#   bash results/gpu/stage_data.sh [SOURCE]     # SOURCE default: ../shared/data/cifar10
#
# The device machine gets only the working tree (tracked and untracked-not-ignored files, plus
# the ignored paths a `run` call names in `carry`), 64 MiB in all; ../shared/data stays behind.
# The 60,000 JPEG files are 55 MiB as they lie, but about 600 bytes of each ~950-byte file is
# the same JPEG header, so a gzipped tar of the very same files is about 19 MiB: the full train
# and test splits travel losslessly. The archive goes to .gpu-data/ (ignored through
# .git/info/exclude, so no .gitignore change reaches anyone else); first.sh unpacks it there.
# Run it in the checkout that the device tool sends (the one the session was started in).
set -euo pipefail
cd "$(dirname "$0")/../.."
SOURCE=${1:-../shared/data/cifar10}
DEST=.gpu-data
ARCHIVE=$DEST/cifar10.tar.gz
LIMIT_MIB=64

if [[ ! -d $SOURCE/train || ! -d $SOURCE/test ]]; then
  echo "stage_data.sh: $SOURCE has no train/ and test/ folders; give the CIFAR-10 image-folder tree" \
       "(SOURCE/{train,test}/<class>/*.jpg), e.g. ../shared/data/cifar10." >&2
  exit 2
fi

exclude=$(git rev-parse --git-path info/exclude)
mkdir -p "$(dirname "$exclude")"
grep -qxF "/$DEST/" "$exclude" 2>/dev/null || echo "/$DEST/" >> "$exclude"

mkdir -p "$DEST"
# The folder inside the archive is always cifar10/, whatever SOURCE is called.
tar -C "$(dirname "$SOURCE")" --transform "s,^$(basename "$SOURCE"),cifar10," -cf - \
  "$(basename "$SOURCE")/train" "$(basename "$SOURCE")/test" | gzip -6 > "$ARCHIVE.partial"
mv "$ARCHIVE.partial" "$ARCHIVE"

count=$(tar -tzf "$ARCHIVE" | grep -c '\.jpg$' || true)
archive_bytes=$(stat -c %s "$ARCHIVE")
# What a `run` call sends: tracked and untracked-not-ignored files, plus the carried folder.
tree_bytes=$(git ls-files -co --exclude-standard -z | xargs -0 -r stat -c %s 2>/dev/null |
  awk '{s += $1} END {print s + 0}')
total=$((tree_bytes + archive_bytes))
mib() { awk -v b="$1" 'BEGIN {printf "%.1f", b / 1048576}'; }
echo "staged $count images in $ARCHIVE: $(mib "$archive_bytes") MiB; working tree $(mib "$tree_bytes") MiB;" \
     "together $(mib "$total") of $LIMIT_MIB MiB"
if (( total > (LIMIT_MIB - 2) * 1048576 )); then
  echo "stage_data.sh: that is too close to the device tool's $LIMIT_MIB MiB limit; remove large untracked" \
       "files from the checkout (git status) before the run." >&2
  exit 1
fi
