#!/usr/bin/env bash
# Compares CipherTalk's crypto primitives with `openssl speed` on the same machine, in the same run.
#
# Usage: benchmarks/crypto-vs-openssl.sh            (from anywhere; reuses benchmarks/target/benchmarks.jar)
#   REBUILD=1            rebuild the benchmarks jar first (it is built automatically if missing)
#   JMH_ARGS="..."       JMH settings (default: short, "-f 1 -wi 3 -w 2s -i 3 -r 2s")
#   OPENSSL_SECONDS=N    seconds per openssl measurement (default 2)
#   JAVA_HOME=...        the JDK that runs the benchmarks (default: java on PATH)
#   OUT_DIR=...          where raw outputs are kept (default: a fresh temporary directory)
#
# Prints a markdown table: operation, CipherTalk figure, openssl figure, ratio (CipherTalk/openssl),
# in the same unit per row (MB/s = 10^6 bytes per second, or ops/s). Both sides are single-threaded
# and divide by wall-clock time (openssl runs with -elapsed, as JMH does). Exits non-zero if any step
# fails or any figure cannot be found in the output.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
JAR="$ROOT/benchmarks/target/benchmarks.jar"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
JMH_ARGS=${JMH_ARGS:-"-f 1 -wi 3 -w 2s -i 3 -r 2s"}
OPENSSL_SECONDS=${OPENSSL_SECONDS:-2}
OUT_DIR=${OUT_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/crypto-vs-openssl.XXXXXX")}
mkdir -p "$OUT_DIR"

for tool in openssl python3 "$JAVA"; do
  command -v "$tool" >/dev/null 2>&1 || { echo "error: $tool not found" >&2; exit 2; }
done

if [[ ! -f "$JAR" || "${REBUILD:-0}" == "1" ]]; then
  echo "building $JAR ..." >&2
  ./mvnw -B -q -pl benchmarks -am package -DskipTests >&2
fi

echo "JMH (CipherTalk and JDK) with: $JMH_ARGS ..." >&2
# shellcheck disable=SC2086 # JMH_ARGS is a list of options
"$JAVA" -jar "$JAR" \
  'io.ciphertalk.benchmarks.crypto.(AesGcmBenchmark|X25519Benchmark.(agree|jdkAgree)$|Ed25519Benchmark.(sign|verify|jdkSign|jdkVerify)$)' \
  $JMH_ARGS -rf json -rff "$OUT_DIR/jmh.json" >"$OUT_DIR/jmh.txt" 2>&1 \
  || { tail -40 "$OUT_DIR/jmh.txt" >&2; echo "error: JMH failed (log: $OUT_DIR/jmh.txt)" >&2; exit 1; }

echo "openssl speed (${OPENSSL_SECONDS}s per figure) ..." >&2
speed() { # name, then openssl speed arguments
  local name=$1
  shift
  openssl speed -elapsed -mr -seconds "$OPENSSL_SECONDS" "$@" >"$OUT_DIR/openssl-$name.txt" 2>&1 \
    || { cat "$OUT_DIR/openssl-$name.txt" >&2; echo "error: openssl speed $* failed" >&2; exit 1; }
}
speed gcm-enc-1024 -evp aes-256-gcm -bytes 1024
speed gcm-enc-65536 -evp aes-256-gcm -bytes 65536
speed gcm-dec-1024 -decrypt -evp aes-256-gcm -bytes 1024
speed gcm-dec-65536 -decrypt -evp aes-256-gcm -bytes 65536
speed gcm-aead-1024 -aead -evp aes-256-gcm -bytes 1024
speed gcm-aead-65536 -aead -evp aes-256-gcm -bytes 65536
speed ecdh-ed ecdhx25519 ed25519

python3 - "$OUT_DIR" "$(openssl version)" <<'PY'
import json, re, sys

out_dir, openssl_version = sys.argv[1], sys.argv[2]

def fail(msg):
    sys.exit(f"error: {msg} (raw outputs in {out_dir})")

# JMH: primaryMetric.score in ops/s, keyed by "<Class>.<method>[:size]".
jmh = {}
with open(f"{out_dir}/jmh.json") as f:
    for r in json.load(f):
        if r["primaryMetric"]["scoreUnit"] != "ops/s":
            fail(f"unexpected JMH unit {r['primaryMetric']['scoreUnit']}")
        key = r["benchmark"].rsplit(".", 2)[-2] + "." + r["benchmark"].rsplit(".", 1)[-1]
        if "size" in r.get("params", {}):
            key += ":" + r["params"]["size"]
        jmh[key] = (r["primaryMetric"]["score"], r["primaryMetric"].get("scoreError", float("nan")))

def j(key):
    if key not in jmh:
        fail(f"JMH result {key} missing")
    return jmh[key]

def read(name):
    with open(f"{out_dir}/openssl-{name}.txt") as f:
        return f.read()

# openssl -mr cipher line: "+F:<n>:<cipher>:<bytes/s for each -bytes size>".
def cipher_bytes_per_s(name):
    m = re.search(r"^\+F:\d+:AES-256-GCM:([0-9.]+)\s*$", read(name), re.M | re.I)
    if not m:
        fail(f"no AES-256-GCM figure in openssl-{name}.txt")
    return float(m.group(1))

# openssl -mr ECDH line: "+F5:<n>:<bits>:<ops/s>:<s/op>" for X25519 (253 bits);
# EdDSA line: "+F6:<n>:<bits>:Ed25519:<sign/s>:<verify/s>".
text = read("ecdh-ed")
m = re.search(r"^\+F5:\d+:253:([0-9.]+):", text, re.M)
if not m:
    fail("no X25519 figure in openssl-ecdh-ed.txt")
ossl_x25519 = float(m.group(1))
m = re.search(r"^\+F6:\d+:\d+:Ed25519:([0-9.]+):([0-9.]+)\s*$", text, re.M)
if not m:
    fail("no Ed25519 figure in openssl-ecdh-ed.txt")
ossl_sign, ossl_verify = float(m.group(1)), float(m.group(2))

rows = []
for size, label in ((1024, "1 KiB"), (65536, "64 KiB")):
    mbs = lambda score: (score[0] * size / 1e6, score[1] * size / 1e6)
    rows.append((f"AES-256-GCM seal {label} (vs openssl -evp)", "MB/s",
                 mbs(j(f"AesGcmBenchmark.seal:{size}")), cipher_bytes_per_s(f"gcm-enc-{size}") / 1e6))
    rows.append((f"AES-256-GCM open {label} (vs openssl -evp -decrypt)", "MB/s",
                 mbs(j(f"AesGcmBenchmark.open:{size}")), cipher_bytes_per_s(f"gcm-dec-{size}") / 1e6))
    rows.append((f"AES-256-GCM seal {label} (vs openssl -aead: per-message IV, AAD, tag)", "MB/s",
                 mbs(j(f"AesGcmBenchmark.seal:{size}")), cipher_bytes_per_s(f"gcm-aead-{size}") / 1e6))
rows.append(("X25519 agreement", "ops/s", j("X25519Benchmark.agree"), ossl_x25519))
rows.append(("Ed25519 sign", "ops/s", j("Ed25519Benchmark.sign"), ossl_sign))
rows.append(("Ed25519 verify", "ops/s", j("Ed25519Benchmark.verify"), ossl_verify))
rows.append(("JDK X25519 agreement (reference, not CipherTalk)", "ops/s", j("X25519Benchmark.jdkAgree"), ossl_x25519))
rows.append(("JDK Ed25519 sign (reference, not CipherTalk)", "ops/s", j("Ed25519Benchmark.jdkSign"), ossl_sign))
rows.append(("JDK Ed25519 verify (reference, not CipherTalk)", "ops/s", j("Ed25519Benchmark.jdkVerify"), ossl_verify))

def fmt(x):
    return f"{x:,.0f}" if x >= 100 else f"{x:,.1f}"

def err(e):
    return "n/a" if e != e else fmt(e)  # NaN when JMH ran a single iteration

print(f"| operation | unit | CipherTalk (JMH score ± 99.9% error) | openssl ({openssl_version.split()[1]}) | ratio |")
print("| --- | --- | ---: | ---: | ---: |")
for name, unit, (ours, ours_err), theirs in rows:
    if theirs <= 0:
        fail(f"openssl figure for {name} is not positive")
    print(f"| {name} | {unit} | {fmt(ours)} ± {err(ours_err)} | {fmt(theirs)} | {ours / theirs:.2f}x |")
PY
echo "raw outputs: $OUT_DIR" >&2
