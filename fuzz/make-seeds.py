#!/usr/bin/env python3
"""Builds the fuzz seed corpora from the captures in testdata/ (kernel-made and third-party).

capture_read gets whole files; the frame targets get each frame prefixed with the two selector
bytes that fuzz_targets/common.rs reads (link type index, port-set byte), print_text with its
option byte before those (and the seeded mutants of tests/mutants_tcpdump.rs too); the protocol
targets get
the bytes of their layer found by a simple walk (VXLAN header and after, IGMP/ARP messages).
Writes into fuzz/corpus/<target>/ (git-ignored: libFuzzer grows it).
"""
import hashlib, os, struct, sys, glob

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
LINK_INDEX = {1: 0, 113: 1, 276: 2, 101: 3, 228: 4, 229: 5}

def records(path):
    data = open(path, 'rb').read()
    if len(data) < 24:
        return
    magic = data[:4]
    if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1'):
        e = '<'
    elif magic in (b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d'):
        e = '>'
    else:
        return
    link = struct.unpack(e + 'I', data[20:24])[0] & 0xffff
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(e + 'I', data[off + 8:off + 12])[0]
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        yield link, frame

def put(target, blob):
    d = os.path.join(here, 'corpus', target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(blob).hexdigest()), 'wb') as f:
        f.write(blob)

def layers(frame):
    """Yields (kind, bytes) for VXLAN, IGMP and ARP found by a minimal Ethernet/IPv4/UDP walk."""
    stack = [frame]
    while stack:
        f = stack.pop()
        if len(f) < 14:
            continue
        et = struct.unpack('>H', f[12:14])[0]
        p = f[14:]
        while et in (0x8100, 0x88a8) and len(p) >= 4:
            et = struct.unpack('>H', p[2:4])[0]
            p = p[4:]
        if et == 0x0806:
            yield 'arp_parse', p
        elif et == 0x0800 and len(p) >= 20:
            ihl = (p[0] & 15) * 4
            proto = p[9]
            body = p[ihl:]
            if proto == 2:
                yield 'igmp_parse', body
            elif proto == 17 and len(body) >= 8:
                sport, dport = struct.unpack('>HH', body[:4])
                if 4789 in (sport, dport) or 8472 in (sport, dport) or 4790 in (sport, dport):
                    yield 'vxlan_parse', body[8:]
                    stack.append(body[16:])

files = sorted(glob.glob(os.path.join(root, 'testdata', '**', '*.pcap*'), recursive=True))
n = 0
for path in files:
    put('capture_read', open(path, 'rb').read())
    for link, frame in records(path):
        if link not in LINK_INDEX:
            continue
        for target in ('dissect', 'print_json'):
            put(target, bytes([LINK_INDEX[link], 0]) + frame)
        # print_text reads one more byte first: the printer options (common.rs text_options).
        # A few option sets per frame: plain, -v -e, -vv -x, -vvv -X with nanoseconds.
        for opt in (0x00, 0x05, 0x1a, 0xbf):
            put('print_text', bytes([opt, LINK_INDEX[link], 0]) + frame)
        if link == 1:
            for kind, b in layers(frame):
                put(kind, b)
        n += 1
# The seeded mutants of tests/mutants_tcpdump.rs (tests/common/mutate.rs: bit flips, lying
# length fields, cuts at header boundaries) seed print_text with the broken packets the
# differential test compares with tcpdump, at -v, -vv and -e -v.
import subprocess, tempfile
m = 0
with tempfile.TemporaryDirectory() as tmp:
    env = dict(os.environ, VXWIRE_MUTANTS_OUT=tmp)
    r = subprocess.run(['cargo', 'test', '--release', '--test', 'mutants_tcpdump', '--', '--ignored',
                        'write_mutants'], cwd=root, env=env, stdout=subprocess.DEVNULL)
    if r.returncode != 0:
        print('make-seeds: writing the mutants failed; print_text gets no mutant seeds', file=sys.stderr)
    for path in sorted(glob.glob(os.path.join(tmp, '*.pcap'))):
        for link, frame in records(path):
            if link in LINK_INDEX:
                for opt in (0x01, 0x02, 0x05):
                    put('print_text', bytes([opt, LINK_INDEX[link], 0]) + frame)
                m += 1
print(f'{len(files)} files, {n} frames, {m} mutants -> fuzz/corpus/', file=sys.stderr)
