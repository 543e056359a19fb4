#!/bin/sh
# inc hook: mail each event through sendmail (any MTA's `sendmail -t`).
#
# inc.yaml:
#   hooks:
#     - on: [opened, severity, resolved]
#       run: examples/hooks/mail.sh
#
# Environment:
#   MAIL_TO    the recipients, comma-separated (required)
#   MAIL_FROM  the sender (default: the MTA's)
#   SENDMAIL   the sendmail program, default /usr/sbin/sendmail
# Header values lose control characters and line breaks, so no event can
# add a header or a recipient.
set -eu

: "${MAIL_TO:?set MAIL_TO to the recipients}"
sendmail=${SENDMAIL:-/usr/sbin/sendmail}

header_value() { printf '%s' "$1" | tr -d '\000-\037\177'; }

{
	printf 'To: %s\n' "$(header_value "$MAIL_TO")"
	if [ -n "${MAIL_FROM:-}" ]; then
		printf 'From: %s\n' "$(header_value "$MAIL_FROM")"
	fi
	printf 'Subject: %s\n' "$(header_value "[${INC_SEVERITY:-no severity}] ${INC_TITLE:-$INC_ID}: $INC_EVENT")"
	printf 'MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n'
	printf '%s\n\n' "${INC_TEXT:-$INC_EVENT}"
	printf 'Incident: %s\nStatus:   %s\nSeverity: %s\nBy:       %s\n' \
		"$INC_ID" "${INC_STATUS:-}" "${INC_SEVERITY:-}" "${INC_BY:-}"
} | "$sendmail" -t -oi
