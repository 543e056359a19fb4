#!/usr/bin/env bash
# Recreates incidents/ in this repository: the example incidents of the
# fictional "Acme Shop" (services in ../inc.yaml), made with inc itself.
#
#   cargo build && INC=target/debug/inc examples/demo.sh
#
# Every command runs with INC_NOW and --at pinned to the moment it happened,
# and --author naming the person, so the output is the same on every run.
# --no-commit: this repository is inc's own source tree, and the generated
# files are committed by hand together with the code that made them.
# The times below are UTC. The people are in Berlin (inc.yaml's timezone), so
# clock times inside their notes and updates are local: CEST (UTC+2) until
# 25 October 2026, CET (UTC+1) after.

set -euo pipefail

INC=${INC:-inc}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

if ! command -v "$INC" >/dev/null 2>&1; then
    echo "demo.sh: can't run \`$INC\`; build it (cargo build) and set INC=target/debug/inc" >&2
    exit 1
fi
if [[ ! -f $ROOT/inc.yaml ]]; then
    echo "demo.sh: $ROOT/inc.yaml is missing; run this script from inc's source tree" >&2
    exit 1
fi

rm -rf "$ROOT/incidents"
mkdir "$ROOT/incidents"

DAY=                 # the UTC date of the commands that follow (YYYY-MM-DD)

# at HH:MM[:SS] WHO COMMAND ARGS...
# Runs one inc command as WHO at that time (UTC) on $DAY.
at() {
    local time=$1 who=$2 cmd=$3
    shift 3
    [[ $time == ??:?? ]] && time+=":00"
    local now="${DAY}T${time}Z"
    local when=(--at "$now")
    case $cmd in
        action) when=() ;; # actions are dated by INC_NOW
    esac
    INC_NOW="$now" "$INC" --repo "$ROOT" --no-commit --quiet --author "$who" \
        "$cmd" "$@" "${when[@]}"
}

# ---------------------------------------------------------------------------
# 1. SEV3, resolved: search index stalled by one oversized product.
DAY=2026-10-06
id=$(at 09:12:40 dana open 'New and updated products missing from search' \
    -s SEV3 --service search --started 2026-10-06T06:41:00Z \
    --label team=discovery --label detected_by=support \
    --summary 'Products created or changed since about 08:40 CEST do not show up in search. Browsing categories and checkout work. The search indexer is not consuming catalog changes.')
at 09:15:05 dana note "$id" 'Support ticket #48213: merchandising cannot find the autumn collection in search. Reproduced: `GET /api/search?q=wool+coat` returns none of the 212 new SKUs.'
at 09:18:30 dana note "$id" 'Consumer lag on catalog.product-changes (group search-indexer) is 412k and has grown steadily since 08:41. Grafana: Search / Indexer, panel "consumer lag".'
at 09:21:10 dana note "$id" '`kubectl -n search get pods -l app=search-indexer`: all 3 pods in CrashLoopBackOff, last state OOMKilled (limit 2Gi), 37 restarts each.'
at 09:24:00 dana update "$id" 'Some newly added or recently changed products do not appear in search results yet. Browsing categories, product pages and checkout are not affected. We are investigating.'
at 09:31:45 dana note "$id" 'Hypothesis: one message is too big for the indexer. Every pod dies at the same offset (partition 7, offset 19884102): product AC-77120, bulk-imported at 08:38 with 14,206 variants. The indexer builds the whole document in memory, about 1.6 GB.'
at 09:36:20 mateo note "$id" 'Checked with merchandising: AC-77120 is a real product; the new bulk-import template generates one variant per size, colour and store. The import is valid; the indexer has no size limit for a single document.'
at 09:40:20 dana update "$id" --status identified 'We have found the cause: one very large product update is stopping our search index from updating. We are working on a fix. Existing search results remain available.'
at 09:46:00 dana note "$id" 'Plan: (1) raise the memory limit to 6Gi for now to get past the message, (2) ship a guard that sends documents over 2000 variants to the DLQ, (3) then put the limit back.'
at 09:56:30 dana note "$id" '`kubectl -n search set resources deploy/search-indexer --limits=memory=6Gi` at 11:52. Pods stable, past offset 19884102 at 11:54. Peak RSS 4.1Gi while indexing AC-77120.'
at 10:20:00 dana note "$id" 'Lag 412k -> 96k, draining at about 12k/min.'
at 10:33:15 dana note "$id" 'Lag 0. The 212 new SKUs are searchable; search p99 unchanged at 180 ms.'
at 10:35:00 dana update "$id" --status monitoring 'Search results are up to date again. We are monitoring while a permanent fix is rolled out.'
at 11:48:00 mateo note "$id" 'Guard deployed (search-indexer 2026.10.06-2): documents over 2000 variants go to catalog.product-changes.dlq and raise a ticket. Memory limit back to 2Gi; peak usage 1.1Gi.'
at 12:04:00 dana update "$id" 'This incident has been resolved. New and updated products appear in search results normally again.'
at 12:05:00 dana resolve "$id" --summary 'A product with 14k variants made the indexer run out of memory, stalling search updates for about 4 hours. Fixed with a temporary memory increase and a size guard that routes oversized documents to the DLQ.'

# ---------------------------------------------------------------------------
# 2. SEV1, resolved, the long one: an unplanned database failover in which
#    connection pools kept using the old primary, ~40 s of writes did not
#    reach the new one, and the only other replica had to be rebuilt.
DAY=2026-10-14
id=$(at 14:03:12 ravi open 'Checkout and sign-in failing after database failover' \
    -s SEV2 --service checkout --service accounts --service api --started 2026-10-14T13:54:00Z \
    --label region=eu-central-1 --label cluster=shop-db --label detected_by=alert \
    --summary 'Patroni failed shop-db over from db-01 to db-02 at 15:54 CEST after disk stalls on db-01. Since then many writes from checkout, sign-in and the partner API fail with read-only transaction errors.')
at 14:04:40 ravi note "$id" 'CheckoutErrorRateHigh fired 16:01. 5xx on POST /checkout/confirm 38%, POST /login 22%. Sentry top error: `ERROR: cannot execute INSERT in a read-only transaction` (SQLSTATE 25006).'
at 14:06:05 ravi note "$id" '`patronictl -c /etc/patroni.yml list shop-db`: db-02 Leader (timeline 14), db-01 Replica (running, read-only), db-03 Replica (starting). The failover itself completed at 15:54:05.'
at 14:07:30 ravi update "$id" 'We are investigating errors affecting checkout and sign-in. Some customers may be unable to place orders or log in. We will post another update within 30 minutes.'
at 14:08:15 ravi assign "$id" comms jonas
at 14:09:45 ravi note "$id" 'Hypothesis: the apps still talk to db-01. DNS shop-db-primary.internal moved to db-02 at 15:54:20 (TTL 30s), but `SHOW SERVERS;` on pgbouncer-1 lists every server connection on 10.20.1.11 (db-01). db-01 came back after the disk stall and Patroni rejoined it as a replica, so those connections now reach a read-only server.'
at 14:11:20 maria note "$id" 'Joining as IC. Sign-in failures now 61% (Grafana: Accounts / Auth overview); the sessions table takes writes too. Raising to SEV1: checkout and sign-in are down for most customers.'
at 14:11:30 maria severity "$id" SEV1
at 14:12:00 maria assign "$id" commander maria
at 14:12:25 ravi note "$id" 'Handed command to maria; staying hands-on with the database.'
at 14:12:40 maria assign "$id" scribe lena
at 14:16:10 ravi note "$id" 'pgbouncer keeps server connections for server_lifetime=3600s and only resolves DNS when it opens a new one, so nothing moves it to db-02 on its own. Plan: `RECONNECT` on each pgbouncer, one at a time.'
at 14:17:00 maria note "$id" 'Go for RECONNECT on pgbouncer-1 first; watch the error rate for 2 minutes before doing the other two.'
at 14:18:30 ravi note "$id" '`psql -h pgbouncer-1 -p 6432 -U pgbouncer pgbouncer -c "RECONNECT shop;"`. SHOW SERVERS now lists 10.20.2.12 (db-02) only.'
at 14:20:15 ravi note "$id" 'Error rate on app hosts behind pgbouncer-1: 41% -> 0.4%. Doing pgbouncer-2 and pgbouncer-3.'
at 14:21:00 jonas update "$id" --status identified 'We have identified the cause: after an automatic switch to a standby database server, part of our traffic kept connecting to the previous server. We are redirecting it now; checkout and sign-in are starting to recover.'
at 14:24:40 ravi note "$id" 'All three pgbouncers reconnected. 5xx: checkout 0.3%, login 0.2%.'
at 14:26:05 lena note "$id" 'Orders per minute back to 92% of the same hour last week.'
at 14:29:10 kenji note "$id" 'Data check: db-02 was promoted at LSN 3F/9A0012C8 (last replayed commit 15:53:21), but db-01 logged commits until 15:54:03. Replication is asynchronous, so about 42 s of writes on db-01 never reached db-02.'
at 14:31:50 ravi note "$id" 'New problem: db-02 CPU 94%, p99 query latency 3.8 s (normally 40 ms). All reads land on db-02 because db-03 cannot follow the new timeline: `requested timeline 14 is not a child of this server history`.'
at 14:33:00 maria note "$id" --pin 'Two threads from here: (1) capacity on db-02 with no healthy replica, owner ravi; (2) the writes that reached db-01 but not db-02, owner kenji. Jonas keeps the status page; lena keeps the timeline.'
at 14:37:00 jonas update "$id" 'Checkout and sign-in are working again. Some pages are slower than usual while we restore full database capacity. We are also checking a small number of orders placed between 15:53 and 15:54 CEST; affected customers will be contacted directly.'
at 14:40:05 ravi note "$id" 'Shedding load: `kubectl -n jobs scale deploy/invoice-batch deploy/search-reindex --replicas=0`; feature flag catalog.read_from_cache_only on for product pages.'
at 14:44:20 ravi note "$id" 'db-02 CPU 71%, p99 640 ms.'
at 14:48:30 ravi note "$id" 'Rebuilding db-03: `patronictl -c /etc/patroni.yml reinit shop-db db-03`. pg_basebackup of 1.9 TB at about 270 MB/s, so roughly 2 hours.'
at 14:52:10 sofia note "$id" 'Payment provider side: 31 card authorisations between 15:53:20 and 15:54:03 have no matching order on db-02. None are captured yet, so nobody has been charged twice; authorisations stay valid for 7 days.'
at 15:02:40 kenji note "$id" 'Restored a snapshot of the db-01 data volume to an isolated host (db-forensics-1), started read-only. After LSN 3F/9A0012C8 it holds 37 orders, 12 sign-ups and 204 session rows that are missing on db-02.'
at 15:05:30 maria note "$id" 'Sessions can go (those users sign in again). Orders and sign-ups must be restored. Kenji writes the reconciliation script, ravi reviews it before it runs.'
at 15:10:00 jonas update "$id" 'Checkout and sign-in are available. Product pages may load more slowly than usual while we restore full database capacity. Next update by 18:30 CEST.'
at 15:20:30 ravi note "$id" 'db-03 basebackup 18% (350 GB).'
at 15:24:15 lena note "$id" 'Support has 9 tickets about missing order confirmations, consistent with the 37 orders. Support is answering with a holding reply: the order is being checked and no payment will be taken twice.'
at 15:31:40 kenji note "$id" 'ID collision: db-02 kept issuing order numbers from its own sequence after promotion, so 19 of the 37 numbers are already used by new orders. The script gives those 19 new numbers and keeps the original one in orders.legacy_ref.'
at 15:38:00 kenji note "$id" 'Reconciliation script ready; dry run against a clone of db-02: 37 orders, 12 users, 0 conflicts, all foreign keys resolve.'
at 15:52:20 ravi note "$id" 'Script reviewed. Running it in one transaction with `\set ON_ERROR_STOP on`.'
at 15:58:10 kenji note "$id" --pin '37 orders and 12 sign-ups restored on db-02; 19 orders renumbered. Mapping attached to the incident doc for support.'
at 16:05:45 sofia note "$id" 'Linked the 31 authorisations to the restored orders; the warehouse export picks them up in its 18:30 run.'
at 16:15:00 jonas update "$id" 'Orders affected by this incident have been restored and will be shipped as normal. Affected customers will receive a confirmation email within the next hour; some will receive a new order number. No payment was taken twice.'
at 16:20:10 ravi note "$id" 'db-03 basebackup 61%.'
at 16:40:30 maria note "$id" 'Risk while db-03 rebuilds: if db-02 fails now there is no replica to fail over to. Decided not to fail back to db-01: its volume (vol-0a3f) is still suspect, and a cloud provider support case is open.'
at 16:55:00 ravi note "$id" 'db-01 moved to a fresh volume and reinitialised as a replica of db-02 (started 18:50).'
at 17:12:20 ravi note "$id" 'db-03 basebackup done, streaming, 4.1 GB behind and catching up.'
at 17:35:40 ravi note "$id" 'db-03 caught up (lag 0). Reads back on the replica: haproxy shop-db-replicas backend 1/1 healthy.'
at 17:38:00 ravi note "$id" 'db-02 CPU 38%, p99 45 ms. Scaling invoice-batch and search-reindex back up.'
at 17:41:10 maria update "$id" --status monitoring 'Database capacity is fully restored and all services are performing normally. We are monitoring closely.'
at 17:43:30 maria note "$id" 'Flag catalog.read_from_cache_only off; product page latency unchanged.'
at 18:10:00 lena note "$id" 'Support has emailed all 37 affected customers (template approved by jonas).'
at 18:30:25 ravi note "$id" 'db-01 in sync. shop-db has three healthy members again: db-02 leader, db-01 and db-03 streaming.'
at 19:05:00 maria note "$id" --pin 'For the review: (1) pgbouncer keeps server connections across a failover and nothing told it to reconnect; (2) asynchronous replication lost about 42 s of commits on an unplanned failover (maximum_lag_on_failover is the default 1 MB); (3) the order sequence reused numbers; (4) the DB failover runbook does not mention pgbouncer or data reconciliation.'
at 19:19:00 maria update "$id" 'This incident has been resolved. Between 15:54 and 16:24 CEST many customers could not check out or sign in, and product pages were slower than usual until 19:40 CEST. All affected orders have been restored. We are sorry for the disruption.'
at 19:20:00 maria resolve "$id" --summary 'Unplanned failover of shop-db; pgbouncer kept using the demoted primary (30 min of failed writes), 37 orders written in the last 42 s before failover were restored by hand, and the second replica had to be rebuilt (about 3 hours of reduced capacity).'
at 19:25:00 maria action add "$id" 'Make pgbouncer reconnect on failover (a Patroni on_role_change callback that runs RECONNECT)' --owner ravi --due 2026-10-28 --link https://tracker.acme.example/OPS-2231
at 19:26:00 maria action add "$id" 'Alert when pgbouncer server connections point at a replica' --owner ravi --due 2026-11-04
at 19:27:00 maria action add "$id" 'Add pgbouncer and data reconciliation steps to the DB failover runbook' --owner kenji --due 2026-10-21
at 19:28:00 maria action add "$id" 'Evaluate synchronous replication for shop-db (maximum_lag_on_failover)' --owner kenji --due 2026-12-15
DAY=2026-10-20
at 09:30:00 kenji action done "$id" 3

# ---------------------------------------------------------------------------
# 3. SEV4, declined: a synthetic check failing for reasons of its own.
DAY=2026-10-22
id=$(at 02:14:30 kenji open 'Payment webhooks delayed (synthetic check failing)' \
    -s SEV4 --service payments --label source=synthetic --label probe=eu-west-3 \
    --summary 'The synthetic webhook round-trip check has failed for 10 minutes. Checking whether real payment notifications are delayed.')
at 02:16:50 kenji note "$id" 'PaymentWebhookRoundtripFailing: probe psp-webhook-roundtrip (eu-west-3) timed out after 30 s on the last 5 of 5 runs.'
at 02:19:20 kenji note "$id" 'Real traffic looks normal: webhook_received_seconds p95 1.2 s, 318 payment.succeeded events in the last 15 min (same as last week), no order stuck in awaiting_payment for more than 5 min.'
at 02:23:40 kenji note "$id" 'The probe VM reaches nothing: `curl -m 5 https://api.payprovider.example/health` times out there and answers in 80 ms from eu-central-1. The cloud status page reports packet loss in eu-west-3 since 04:00.'
at 02:25:00 kenji note "$id" 'Customers and the payment provider are fine; only the probe region is affected. Follow-up: run the probe from two regions and alert only when both fail.'
at 02:26:10 kenji decline "$id" --reason 'False alarm: the synthetic probe lost its network in eu-west-3; real payment webhooks were delivered normally throughout.'

# ---------------------------------------------------------------------------
# 4. SEV2, resolved: a card scheme rotated a CA our 3-D Secure client lacked.
DAY=2026-11-03
id=$(at 10:47:05 tomas open 'Card payments failing at 3-D Secure for Mastercard' \
    -s SEV2 --service payments --service checkout --started 2026-11-03T10:15:00Z \
    --label scheme=mastercard --label component=payments-3ds --label detected_by=alert \
    --summary 'Since about 11:15 CET most Mastercard payments that need a 3-D Secure challenge fail. Visa, PayPal and invoice payments work.')
at 10:48:30 tomas note "$id" 'CardPaymentSuccessRateLow: card success 71% (normal 93%). By scheme: Mastercard 38%, Visa 94%. Failure reason almost always 3ds_challenge_error.'
at 10:50:00 tomas assign "$id" comms jonas
at 10:52:40 jonas update "$id" 'Some customers paying with Mastercard cannot complete their payment. Payments with Visa, PayPal and invoice are working. We are investigating.'
at 10:55:10 tomas note "$id" 'payments-3ds logs: `x509: certificate signed by unknown authority` on every call to the Mastercard directory server since 11:15:02. No deploy on our side since yesterday 16:40.'
at 10:58:30 sofia note "$id" 'The October Mastercard bulletin announced a new intermediate CA for the directory server from 3 November. The payments-3ds image ships its own CA bundle, built in June, which does not include it.'
at 11:01:00 tomas update "$id" --status identified 'We have identified the cause of the failed Mastercard payments and are preparing a fix. In the meantime, customers can pay with another card, PayPal or invoice.'
at 11:04:20 sofia note "$id" 'Fix: rebuild payments-3ds with the current CA bundle plus the intermediate from the bulletin. PR payments-3ds#412 open, CI running.'
at 11:22:45 tomas note "$id" 'CI green. Canary: `helm upgrade payments-3ds charts/payments-3ds --set image.tag=2026.11.03-1 --set canary.weight=10`. 3DS challenge success on the canary 97% over 40 attempts.'
at 11:36:00 tomas note "$id" 'Canary to 100% at 12:31. Mastercard success rate 12:30 62%, 12:35 88%.'
at 11:40:30 jonas update "$id" --status monitoring 'A fix has been deployed and Mastercard payments are succeeding again. We are monitoring. Customers whose payment failed can try again; no money was taken for failed attempts.'
at 11:52:00 sofia note "$id" 'About 1,140 Mastercard payments failed between 11:15 and 12:33; 61% of those customers completed their order later. The other 445 carts were shared with CRM for a follow-up email.'
at 12:10:00 tomas note "$id" --pin 'For the review: the CA bundle is baked into the image and only refreshed on a rebuild; the scheme bulletin reached the payments mailing list but no one owned acting on it. Candidate actions: rebuild weekly, alert on certificate verification errors, give scheme bulletins an owner.'
at 12:40:00 tomas update "$id" --status resolved 'This incident has been resolved. Between 11:15 and 12:33 CET many Mastercard payments requiring 3-D Secure failed. All payment methods are working normally.'
at 12:45:00 tomas action add "$id" 'Rebuild payments-3ds weekly so its CA bundle stays current' --owner sofia --due 2026-11-17 --link https://tracker.acme.example/PAY-318
at 12:46:00 tomas action add "$id" 'Alert on certificate verification errors in payments-3ds' --owner tomas --due 2026-11-10
at 12:47:00 tomas action add "$id" 'Give card scheme bulletins an owner in the payments team' --owner jonas --due 2026-12-01
DAY=2026-11-09
at 14:00:00 tomas action done "$id" 2
DAY=2026-11-16
at 11:00:00 sofia action done "$id" 1

# ---------------------------------------------------------------------------
# 5. SEV3, resolved, private: an internal export; no customer impact.
DAY=2026-11-12
id=$(at 07:32:10 priya open 'Nightly invoice export to accounting failed' \
    -s SEV3 --service invoicing --private --started 2026-11-12T02:14:00Z \
    --label team=finance-eng --label job=invoice-export \
    --summary 'The nightly upload of invoices to the accounting provider failed. Finance needs the file for the VAT pre-filing due today at 14:00 CET. Customers are not affected.')
at 07:34:30 priya note "$id" 'CronJob invoice-export run 29386 exited 1 at 03:14: `sftp: Permission denied (publickey)` while uploading invoices-2026-11-11.csv (4,812 rows). The file is on the job volume; nothing is lost.'
at 07:41:00 priya note "$id" 'The same RSA key fails from a laptop too. Provider changelog: since 2026-11-11 their SFTP accepts ed25519 keys only. Their notice of 2026-10-01 went to the shared finance mailbox, which does not reach engineering.'
at 07:44:30 priya assign "$id" comms hannah
at 07:50:00 hannah note "$id" 'Told Ines (finance) the file will be late; the deadline is 14:00 CET, so there are about 5 hours.'
at 08:05:20 priya note "$id" 'New ed25519 key generated and stored in Vault at secret/jobs/invoice-export/sftp (version 7). Public key uploaded in the provider portal; they activate keys within 2 hours.'
at 09:58:40 priya note "$id" 'Key active. `sftp -i ~/.ssh/acme_export_ed25519 acme@sftp.ledgerly.example` lists the inbox.'
at 10:06:00 priya note "$id" '`kubectl -n jobs create job --from=cronjob/invoice-export invoice-export-manual-1112`: 4,812 rows uploaded, checksum matches.'
at 10:15:00 hannah note "$id" 'Finance confirms the file arrived and imported cleanly.'
at 10:20:00 priya resolve "$id" --summary 'The accounting provider now accepts ed25519 SFTP keys only. Export re-run with a new key at 11:06 CET, before the finance deadline. Follow-up: route provider notices to engineering.'
at 10:25:00 priya action add "$id" 'Route accounting provider notices to the engineering on-call mailbox' --owner hannah --due 2026-11-26

# ---------------------------------------------------------------------------
# 6. SEV3, resolved, reopened once: emails throttled on a shared sending pool.
DAY=2026-11-19
id=$(at 16:21:30 lena open 'Order confirmation emails delayed' \
    -s SEV3 --service notifications --started 2026-11-19T15:42:00Z \
    --label provider=mailgrid --label team=platform \
    --summary 'Order confirmation and shipping emails arrive 30 or more minutes late. Orders themselves are placed and processed normally.')
at 16:22:10 lena assign "$id" scribe mateo
at 16:24:00 lena note "$id" 'Queue email-transactional: depth 48,310, oldest message 39 min. Workers healthy (12/12), but 70% of sends get `421 4.7.28 rate limited` from the email provider.'
at 16:27:40 mateo note "$id" 'The newsletter "Black Week preview" started at 16:40 to 1.2M recipients from the same domain and IP pool as transactional mail; the provider throttles the pool as a whole.'
at 16:29:00 lena update "$id" 'Order confirmation emails are currently delayed. Your orders are placed and processed normally; the confirmations will arrive late. We are working on it.'
at 16:33:30 lena note "$id" 'Marketing paused the campaign at 17:33. 421 responses already falling: 70% -> 35%.'
at 16:40:00 lena note "$id" 'Moving transactional mail to the dedicated pool txn-eu set up last month: `mailgrid pools assign --stream transactional --pool txn-eu`.'
at 16:41:10 lena update "$id" --status identified 'We have found the cause of the delays and are moving order emails to a separate sending channel.'
at 16:58:20 mateo note "$id" 'Queue 48k -> 6k, oldest message 11 min, 421 responses 0.2%.'
at 17:12:00 lena update "$id" --status monitoring 'Order confirmation emails are being delivered normally again and the backlog has been sent. We are monitoring.'
at 17:45:00 lena resolve "$id" --summary 'Newsletter and order emails shared one throttled sending pool; order emails moved to the dedicated pool txn-eu.'
at 18:27:00 lena reopen "$id" --reason 'Queue growing again: 14k, oldest 9 min, new 421 responses on txn-eu.'
at 18:29:30 lena note "$id" 'txn-eu is a new IP pool still in warm-up: the provider caps it at 50k messages a day, reached at 19:20. Everything above the cap is deferred.'
at 18:31:00 lena update "$id" --status identified 'Some order emails are delayed again. We know the cause and are fixing it.'
at 18:36:00 mateo note "$id" 'Split transactional mail 50/50 between txn-eu and shared-eu (the campaign stays paused until 08:00 tomorrow, so shared-eu has room): `mailgrid pools assign --stream transactional --pool txn-eu:50,shared-eu:50`.'
at 18:52:00 mateo note "$id" 'Queue 14k -> 300, oldest 1 min, no 421 responses for 10 min.'
at 18:55:00 lena update "$id" --status monitoring 'Emails are flowing normally again and the delayed messages have been sent. We are monitoring.'
at 19:30:00 lena note "$id" --pin 'For the review: the warm-up cap of the dedicated pool was known at onboarding but is not in the runbook, and on-call cannot see the marketing send calendar. The campaign resumes tomorrow 08:00 CET at 200k/h, agreed with marketing, until txn-eu is warm.'
at 19:31:00 lena resolve "$id" --summary 'Order emails delayed twice: first by throttling of the shared sending pool during a newsletter, then by the daily warm-up cap of the dedicated pool. Traffic now split across both pools.'

# ---------------------------------------------------------------------------
# 7. SEV2 lowered to SEV3, open (monitoring): a deploy defeated the CDN cache.
DAY=2026-11-27
slow=$(at 19:18:40 sofia open 'Product pages loading slowly' \
    -s SEV2 --service web --service search --started 2026-11-27T18:55:00Z \
    --label team=storefront --label deploy=web-storefront-2026.11.27-3 --label detected_by=alert \
    --summary 'Product and search pages take 5 to 8 seconds to load instead of about 2. Checkout is not affected. The CDN cache hit ratio dropped after a storefront deploy.')
at 19:20:00 sofia note "$slow" 'StorefrontLCPHigh: p75 LCP on product pages 6.2 s (normal 1.9 s). CDN hit ratio 31% (normal 94%) since 19:55.'
at 19:22:30 sofia assign "$slow" comms jonas
at 19:24:10 jonas update "$slow" 'Product and search pages are loading slowly for many customers. Placing orders is not affected. We are investigating.'
at 19:27:50 mateo note "$slow" 'Origin autoscaled web-storefront from 12 to 48 pods; CPU 70%, 5xx 0.1%. Slow, but everything is served.'
at 19:31:15 sofia note "$slow" 'web-storefront 2026.11.27-3 went out at 19:52. Its diff adds `Vary: Cookie` to product and search pages (for the promo banner A/B test), so every visitor with a cookie misses the CDN cache.'
at 19:33:30 sofia note "$slow" 'Pages work and checkout conversion is normal (3.1% vs 3.2% last Friday). Lowering to SEV3: degraded, not broken.'
at 19:33:40 sofia severity "$slow" SEV3
at 19:36:20 sofia update "$slow" --status identified 'We have identified the cause of the slow pages, a change released this evening, and are rolling it back.'
at 19:52:00 mateo note "$slow" '`helm rollback web-storefront 41` finished 20:51. Responses no longer carry Vary: Cookie.'
at 19:55:40 mateo note "$slow" '`cdnctl purge --prefix /p/ --prefix /search/`. Hit ratio 58% and rising.'
at 20:14:00 sofia note "$slow" 'Hit ratio 89%, p75 LCP 2.4 s. Origin scaling back down (30 pods).'
at 20:22:30 jonas update "$slow" --status monitoring 'Page load times are back to normal for most customers. We are monitoring while our caches refill.'
at 20:41:00 sofia note "$slow" 'Staying in monitoring through the evening peak (until 23:00 CET). The A/B banner comes back later with a cache-friendly variant key instead of Vary: Cookie.'

# ---------------------------------------------------------------------------
# 8. SEV4, open (investigating): one partner hitting its rate limit.
id=$(at 20:34:20 kenji open 'Elevated 429 responses on the partner API' \
    -s SEV4 --service api --started 2026-11-27T20:10:00Z \
    --label partner=nordlicht-retail --label detected_by=alert \
    --summary 'About 3% of partner API requests get 429 Too Many Requests since 21:10 CET, almost all from one marketplace partner.')
at 20:36:00 kenji note "$id" 'PartnerAPI429RatioHigh: 3.4% over 15 min. 96% of the 429s are for one API key (nordlicht-retail) on PUT /v2/inventory/{sku}.'
at 20:41:30 kenji note "$id" 'Their request rate is 340 req/s against a limit of 300; last week their peak was 120. Hypothesis: a full inventory resync ahead of Black Friday. Asked their tech contact in the shared partner channel.'
at 20:48:10 kenji note "$id" 'Other partners and our apps are fine: the 429 ratio without nordlicht-retail is 0.02%. Staying at SEV4 until they answer; raising their limit needs the API owner to agree.'

# ---------------------------------------------------------------------------
# 9. Postmortems of the SEV1 and the SEV2, written by the teams in
#    examples/postmortems/ around drafts from `inc postmortem ID --stdout`.
#    Copied into place, then refreshed: `inc postmortem` rewrites only the
#    blocks between `inc:begin` and `inc:end` markers from the incident files
#    and keeps every line people wrote. (It takes no --at, so not `at`.)
postmortem() { # postmortem WHEN WHO ID
    cp "$ROOT/examples/postmortems/$3.md" "$ROOT/incidents/2026/$3/postmortem.md"
    INC_NOW="$1" "$INC" --repo "$ROOT" --no-commit --quiet --author "$2" postmortem "$3"
}
# Refreshed as of the demo's "now", so their action tables say which
# follow-ups are overdue today.
postmortem 2026-11-27T21:00:00Z maria 2026-10-14-checkout-and-sign-in-failing-after
postmortem 2026-11-27T21:00:00Z tomas 2026-11-03-card-payments-failing-at-3-d-secure-for

echo "Made $(find "$ROOT/incidents" -name incident.yaml | wc -l) incidents in $ROOT/incidents" >&2
