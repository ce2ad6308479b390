#!/usr/bin/env bash
# Attachment encryption throughput (AttachmentBenchmark: streaming AES-256-GCM per 64 KiB chunk plus
# SHA-256 of the ciphertext, 16 MiB in memory) next to `openssl speed` at the same chunk size, in
# the same run: `-evp aes-256-gcm -bytes 65536` (encrypt and -decrypt) and `-evp sha256 -bytes 65536`.
#
# Usage: benchmarks/attachments-vs-openssl.sh   (REBUILD=1 rebuilds benchmarks/target/benchmarks.jar)
#   JMH_ARGS="..."  (default "-f 1 -wi 3 -w 2s -i 5 -r 2s"), OPENSSL_SECONDS=N (default 3)
#   JAR=path (another build of the benchmarks jar, e.g. to compare before and after a change)
#   CPU_ARGS="S R"  (AttachmentCpuThroughput: S CPU seconds per round, R rounds; default "2 5")
# Prints two markdown tables (MB/s = 10^6 bytes/s; CipherTalk counts plaintext bytes):
#  1. wall clock: JMH against `openssl speed -elapsed` (meaningful only on an otherwise idle machine);
#  2. CPU time: AttachmentCpuThroughput (bytes per second of the measuring thread's CPU time)
#     against `openssl speed` without -elapsed (its user CPU time), which a machine shared with
#     other work disturbs much less. Both tables also show the JDK primitives alone.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=${JAR:-benchmarks/target/benchmarks.jar}
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
JMH_ARGS=${JMH_ARGS:-"-f 1 -wi 3 -w 2s -i 5 -r 2s"}
OPENSSL_SECONDS=${OPENSSL_SECONDS:-3}
OUT=$(mktemp -d "${TMPDIR:-/tmp}/attachments-vs-openssl.XXXXXX")
if [[ ! -f "$JAR" || "${REBUILD:-0}" == "1" ]]; then
  ./mvnw -B -q -pl benchmarks -am package -DskipTests >&2
fi
# shellcheck disable=SC2086
"$JAVA" -jar "$JAR" 'io.ciphertalk.benchmarks.crypto.AttachmentBenchmark' $JMH_ARGS -rf json -rff "$OUT/jmh.json" \
  >"$OUT/jmh.txt" 2>&1 || { tail -30 "$OUT/jmh.txt" >&2; exit 1; }
openssl speed -elapsed -mr -seconds "$OPENSSL_SECONDS" -evp aes-256-gcm -bytes 65536 >"$OUT/enc.txt" 2>&1
openssl speed -elapsed -mr -seconds "$OPENSSL_SECONDS" -decrypt -evp aes-256-gcm -bytes 65536 >"$OUT/dec.txt" 2>&1
openssl speed -elapsed -mr -seconds "$OPENSSL_SECONDS" -evp sha256 -bytes 65536 >"$OUT/sha.txt" 2>&1
# shellcheck disable=SC2086
"$JAVA" -cp "$JAR" io.ciphertalk.benchmarks.crypto.AttachmentCpuThroughput ${CPU_ARGS:-2 5} >"$OUT/cpu.txt" 2>&1 \
  || { cat "$OUT/cpu.txt" >&2; exit 1; }
openssl speed -mr -seconds "$OPENSSL_SECONDS" -evp aes-256-gcm -bytes 65536 >"$OUT/enc-cpu.txt" 2>&1
openssl speed -mr -seconds "$OPENSSL_SECONDS" -decrypt -evp aes-256-gcm -bytes 65536 >"$OUT/dec-cpu.txt" 2>&1
openssl speed -mr -seconds "$OPENSSL_SECONDS" -evp sha256 -bytes 65536 >"$OUT/sha-cpu.txt" 2>&1
python3 - "$OUT" "$(openssl version)" "$(uptime | sed 's/.*load average: //')" <<'PY'
import json, re, sys
out, version, load = sys.argv[1:4]
def ossl(name):
    for line in open(f"{out}/{name}.txt"):
        m = re.match(r"\+F:\d+:[^:]+:([0-9.]+)", line)
        if m:
            return float(m.group(1)) / 1e6  # bytes/s at the one size asked for
    raise SystemExit(f"no figure in {name}.txt")
size = 16 * 1024 * 1024
jmh = {r["benchmark"].rsplit(".", 1)[1]: r["primaryMetric"] for r in json.load(open(f"{out}/jmh.json"))}
enc, dec, sha = ossl("enc"), ossl("dec"), ossl("sha")
print(f"openssl: {version}; load average at the end: {load}; raw output: {out}\n")
print("| operation (64 KiB chunks) | CipherTalk MB/s (± 99.9%) | openssl MB/s | ratio |")
print("| --- | --- | --- | --- |")
for op, ref, label in (("encrypt", enc, "aes-256-gcm"), ("decrypt", dec, "aes-256-gcm -decrypt")):
    m = jmh[op]
    s, e = m["score"] * size / 1e6, m["scoreError"] * size / 1e6
    print(f"| attachment {op} vs openssl {label} | {s:,.0f} ± {e:,.0f} | {ref:,.0f} | {s / ref:.2f}x |")
    print(f"| attachment {op} vs openssl {label} + sha256 (same work) | {s:,.0f} ± {e:,.0f} | {1 / (1 / ref + 1 / sha):,.0f} | {s * (1 / ref + 1 / sha):.2f}x |")

cpu = {}
for line in open(f"{out}/cpu.txt"):
    parts = line.split()
    if len(parts) == 4 and parts[2].startswith("min="):
        cpu[parts[0]] = (float(parts[1]), float(parts[2][4:]), float(parts[3][4:]))
enc, dec, sha = ossl("enc-cpu"), ossl("dec-cpu"), ossl("sha-cpu")
aes_j, sha_j = cpu["jce-aes-256-gcm"][0], cpu["jce-sha256"][0]
bound = 1 / (1 / aes_j + 1 / sha_j)
print("\nPer second of CPU time (AttachmentCpuThroughput, median of the rounds, min-max; openssl without -elapsed):\n")
print("| operation (64 KiB chunks) | CipherTalk MB/CPU-s (min-max) | openssl MB/CPU-s | ratio |")
print("| --- | --- | --- | --- |")
print(f"| JDK AES-256-GCM alone vs openssl aes-256-gcm | {aes_j:,.0f} | {enc:,.0f} | {aes_j / enc:.2f}x |")
print(f"| JDK SHA-256 alone vs openssl sha256 | {sha_j:,.0f} | {sha:,.0f} | {sha_j / sha:.2f}x |")
for op, ref, label in (("encrypt", enc, "aes-256-gcm"), ("decrypt", dec, "aes-256-gcm -decrypt")):
    v, lo, hi = cpu[op]
    print(f"| attachment {op} vs openssl {label} | {v:,.0f} ({lo:,.0f}-{hi:,.0f}) | {ref:,.0f} | {v / ref:.2f}x |")
    print(f"| attachment {op} vs openssl {label} + sha256 (same work) | {v:,.0f} ({lo:,.0f}-{hi:,.0f}) | {1 / (1 / ref + 1 / sha):,.0f} | {v * (1 / ref + 1 / sha):.2f}x |")
    print(f"| attachment {op} vs the JDK primitives' own bound (1 / (1/AES + 1/SHA)) | {v:,.0f} | {bound:,.0f} | {v / bound:.2f}x |")
PY
