#!/usr/bin/env python3
"""The public API of vxwire as one sorted line per item, from rustdoc's JSON output.

Usage (nightly toolchain; default features, i.e. everything a user can turn on):
    cargo +nightly rustdoc --lib --target-dir target/nightly -- -Z unstable-options --output-format json
    python3 .ci/public-api.py target/nightly/doc/vxwire.json > docs/public-api.txt

Items marked #[doc(hidden)] are left out, as rustdoc leaves them out of the docs. Each line is
`kind path`; functions and methods carry their parameter and return types in rustdoc's words.
"""
import json
import sys

d = json.load(open(sys.argv[1]))
idx = d["index"]
out = set()


def hidden(it):
    return any("hidden" in str(a) for a in it.get("attrs", []))


def ty(t):
    """A compact rendering of a rustdoc type."""
    if t is None:
        return "()"
    if isinstance(t, str):
        return t
    k, v = next(iter(t.items()))
    if k == "primitive":
        return v
    if k == "generic":
        return v
    if k == "resolved_path":
        name = v.get("path") or v.get("name")
        args = v.get("args")
        if args and "angle_bracketed" in args:
            inner = [ty(a["type"]) if "type" in a else a.get("lifetime", "?") for a in args["angle_bracketed"]["args"]]
            if inner:
                return f"{name}<{', '.join(inner)}>"
        return name
    if k == "borrowed_ref":
        m = "mut " if v.get("is_mutable") else ""
        lt = (v.get("lifetime") or "") + " " if v.get("lifetime") else ""
        return f"&{lt}{m}{ty(v['type'])}"
    if k == "slice":
        return f"[{ty(v)}]"
    if k == "array":
        return f"[{ty(v['type'])}; {v['len']}]"
    if k == "tuple":
        return "(" + ", ".join(ty(x) for x in v) + ")"
    if k == "impl_trait":
        return "impl " + " + ".join(b["trait_bound"]["trait"]["path"] for b in v if "trait_bound" in b)
    if k == "dyn_trait":
        return "dyn " + " + ".join(t["trait"]["path"] for t in v["traits"])
    if k == "qualified_path":
        return f"<{ty(v['self_type'])}>::{v['name']}"
    if k == "raw_pointer":
        return "*" + ty(v["type"])
    if k == "function_pointer":
        return "fn(..)"
    return k


def sig(f):
    s = f["sig"]
    args = ", ".join(f"{n}: {ty(t)}" if n != "self" else ty(t).replace("Self", "self") for n, t in s["inputs"])
    ret = s.get("output")
    c = "const " if f["header"].get("is_const") else ""
    return c, f"({args})" + (f" -> {ty(ret)}" if ret is not None else "")


def impls(path, ids):
    for i in ids:
        im = idx[str(i)]
        imp = im["inner"]["impl"]
        if imp.get("is_synthetic") or imp.get("blanket_impl") is not None:
            continue
        tr = imp.get("trait")
        if tr is not None:
            out.add(f"impl {tr['path']} for {path}")
            continue
        for j in imp["items"]:
            it = idx[str(j)]
            if it["visibility"] != "public" or hidden(it):
                continue
            k = next(iter(it["inner"]))
            if k == "function":
                c, s = sig(it["inner"]["function"])
                out.add(f"pub {c}fn {path}::{it['name']}{s}")
            elif k == "assoc_const":
                out.add(f"pub const {path}::{it['name']}: {ty(it['inner'][k]['type'])}")
            else:
                out.add(f"pub {k} {path}::{it['name']}")


def walk(mid, path, seen):
    if mid in seen:
        return
    seen.add(mid)
    m = idx[str(mid)]
    for i in m["inner"]["module"]["items"]:
        it = idx.get(str(i))
        if it is None or hidden(it):
            continue
        item(it, path, seen)


def item(it, path, seen, name=None):
    if it["visibility"] != "public":
        return
    k, v = next(iter(it["inner"].items()))
    name = name or it["name"]
    p = f"{path}::{name}"
    if k == "module":
        out.add(f"pub mod {p}")
        walk(it["id"], p, seen)
    elif k == "use":
        if v.get("id") is None:
            out.add(f"pub use {p} = {v['source']}")
            return
        tgt = idx.get(str(v["id"]))
        if tgt is None:
            out.add(f"pub use {path}::{v['name']} = {v['source']} (external)")
            return
        if v.get("is_glob"):
            walk(v["id"], path, seen)
            return
        tk = next(iter(tgt["inner"]))
        if tk == "module":
            out.add(f"pub use {p} = {v['source']}")
        else:
            item(tgt, path, seen, v["name"])
    elif k == "function":
        c, s = sig(v)
        out.add(f"pub {c}fn {p}{s}")
    elif k == "struct":
        out.add(f"pub struct {p}")
        kind = v["kind"]
        fields = []
        if isinstance(kind, dict) and "plain" in kind:
            fields = kind["plain"]["fields"]
        elif isinstance(kind, dict) and "tuple" in kind:
            fields = [f for f in kind["tuple"] if f is not None]
        for f in fields:
            fi = idx[str(f)]
            if fi["visibility"] == "public" and not hidden(fi):
                out.add(f"pub field {p}.{fi['name']}: {ty(fi['inner']['struct_field'])}")
        impls(p, v["impls"])
    elif k == "enum":
        out.add(f"pub enum {p}")
        for var in v["variants"]:
            vi = idx[str(var)]
            if not hidden(vi):
                out.add(f"variant {p}::{vi['name']}")
        impls(p, v["impls"])
    elif k == "trait":
        out.add(f"pub trait {p}")
    elif k in ("constant",):
        out.add(f"pub const {p}: {ty(v['type'])}")
    elif k == "static":
        out.add(f"pub static {p}: {ty(v['type'])}")
    elif k == "type_alias":
        out.add(f"pub type {p} = {ty(v['type'])}")
    elif k == "macro":
        out.add(f"macro {p}")
    else:
        out.add(f"pub {k} {p}")


walk(d["root"], "vxwire", set())
for line in sorted(out):
    print(line)
