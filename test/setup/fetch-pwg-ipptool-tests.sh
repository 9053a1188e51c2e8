#!/usr/bin/env bash
# Fetches PWG's ipptool conformance tests (Debian package ippsample-data; not ippsample, which
# conflicts with cups-ipp-utils) into DEST and writes DEST/pwg5100.15.test, a patched copy of the
# FaxOut test. Idempotent: does nothing when DEST already holds this version of the patched copy.
# Every patch below is listed with its reason in README.md, "PWG 5100.15 conformance".
#
#   test/setup/fetch-pwg-ipptool-tests.sh [DEST]     (default: .tmp/ippsample in the repository)
set -euo pipefail
cd "$(dirname "$0")/../.."
DEST=${1:-.tmp/ippsample}
PATCH_VERSION=1
STAMP="# mfp-edge patched copy v${PATCH_VERSION}"
ORIGINAL="$DEST/usr/share/ipptool/pwg5100.15.test"
PATCHED="$DEST/pwg5100.15.test"

if [[ -f "$PATCHED" ]] && head -1 "$PATCHED" | grep -qxF "$STAMP"; then
  echo "PWG ipptool tests already in $DEST"
  exit 0
fi

mkdir -p "$DEST"
if [[ ! -f "$ORIGINAL" ]]; then
  download() { (cd "$DEST" && rm -f ippsample-data_*.deb && timeout 300 apt-get download -q ippsample-data); }
  # A fresh machine may have no package lists yet.
  download || { timeout 900 apt-get update -qq && download; }
  dpkg-deb -x "$DEST"/ippsample-data_*.deb "$DEST"
  rm -f "$DEST"/ippsample-data_*.deb
fi

# 1. The first Create-Job has no destination-uris: a FaxOut job without one is refused
#    (client-error-bad-request), so give it the number the other jobs dial.
# 2. "$job_id" is not an ipptool variable (ipptool sets "$job-id").
# 3. "OF-TYPE interger" is a typo that no attribute can match.
# 4. destination-uri, images-completed and transmission-status are members of the destination-statuses
#    collection, not job attributes: look for them there.
# 5. The input-* scan attributes are only required with Add-Document-Images (scan accessories), as the
#    neighbouring input-* lines of the same test already say.
# 6. number-of-retries-supported is rangeOfInteger (PWG 5100.15, and the line before in the same
#    test) and only for spooling devices: drop the duplicate that wants an integer.
# 7. Wait 1 s, not 30 s, before polling the job (the job still has to complete).
{
  echo "$STAMP"
  sed -E \
    -e '/NAME "create-job"/,/STATUS/ s/^(\s*)ATTR name requesting-user-name \$user\s*$/&\n\1GROUP job-attributes-tag\n\1ATTR collection destination-uris { MEMBER uri destination-uri $DESTINATION_URI_TO_DIAL }/' \
    -e 's/\$job_id\b/$job-id/g' \
    -e 's/OF-TYPE interger/OF-TYPE integer/' \
    -e 's/^(\s*EXPECT )(destination-uri|images-completed|transmission-status) (OF-TYPE \S+) IN-GROUP job-attributes-tag/\1destination-statuses\/\2 \3/' \
    -e 's/^(\s*EXPECT input-(content-type|film-scan-mode|orientation-requested|scan-regions)-supported.*\S)\s*$/\1 IF-DEFINED ADD_DOCUMENT_IMAGES_SUPPORTED/' \
    -e '/^\s*EXPECT number-of-retries-supported OF-TYPE integer/d' \
    -e 's/^(\s*)DELAY 30\s*$/\1DELAY 1/' \
    "$ORIGINAL"
} >"$PATCHED.new"
mv "$PATCHED.new" "$PATCHED"
echo "PWG ipptool tests in $DEST (patched FaxOut test: $PATCHED)"
