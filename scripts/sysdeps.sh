#!/bin/sh
# Install the Debian packages Shouwang needs beyond Python, when they are missing and we may.
#   sysdeps.sh fonts     CJK font for pass cards and PDFs, poppler-utils
#   sysdeps.sh browser   Chromium and a CJK UI font for the browser tests
# Without root or apt-get it only says what to install; the product and tests say the same.
want="${*:-fonts browser}"
pkgs=""
for part in $want; do
  case "$part" in
    fonts)
      [ -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || pkgs="$pkgs fonts-wqy-zenhei"
      command -v pdftoppm >/dev/null 2>&1 || pkgs="$pkgs poppler-utils" ;;
    browser)
      [ -x /usr/bin/chromium ] || pkgs="$pkgs chromium"
      [ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || pkgs="$pkgs fonts-wqy-microhei" ;;
  esac
done
[ -z "$pkgs" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian packages:$pkgs"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pkgs >/dev/null
else
  echo "NOTICE: please install the Debian packages:$pkgs (e.g. sudo apt-get install$pkgs)"
fi
