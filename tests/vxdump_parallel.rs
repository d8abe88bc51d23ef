//! `vxdump -j 2` and `-j 8` print byte for byte what `-j 1` (one thread, no pipeline) prints:
//! for every flag set of the conformance test and more (`-ttt`, `-ttttt`, `-q`, `-X`, `--json`,
//! `--vni`, a filter expression, `-c N`, `-w`, and `--summary`, whose packets every thread
//! dissects and judges and one adds in order, also with `--vtep` and a filter) on every capture
//! in testdata/ (recursive) and on
//! two generated benchmark mixes (examples/gen_mix.rs, 20,000 packets each: its `mix` shape and
//! its `pool` shape, whose TCP conversations come back again and again, so relative sequence
//! numbers cross the pipeline's batches), and on the first mix cut short inside a record. The
//! exit status and stderr must be the same too.

mod common;

#[path = "../examples/gen_mix.rs"]
#[allow(dead_code)]
mod gen_mix;

use common::Scratch;
use std::path::{Path, PathBuf};
use std::process::Command;

const VXDUMP: &str = env!("CARGO_BIN_EXE_vxdump");

/// The conformance test's flag sets, then the flags whose output depends on earlier packets or
/// on the selection.
const FLAG_SETS: &[&[&str]] = &[
    &["-v"],
    &["-e", "-v"],
    &["-vv"],
    &["-vvv"],
    &["-v", "-S"],
    &["-v", "-x"],
    &["-ttt"],
    &["-ttttt", "-vv"],
    &["-q", "-X"],
    &["--json"],
    &["--vni", "300"],
    &["-c", "7"],
    &["-ttt", "-c", "1500", "vxlan", "and", "tcp"],
    &["--summary"],
    &["--summary", "--json", "-c", "500"],
    &["--summary", "--vtep", "198.18.0.2", "vxlan", "and", "udp"],
];

fn captures_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            captures_under(&p, out);
        } else if matches!(p.extension().and_then(|e| e.to_str()), Some("pcap" | "pcapng")) {
            out.push(p);
        }
    }
}

/// stdout, stderr and the exit code of `vxdump -j J FLAGS -r FILE`.
fn run(j: &str, flags: &[&str], file: &Path) -> (Vec<u8>, Vec<u8>, Option<i32>) {
    let out = Command::new(VXDUMP)
        .args(["-j", j])
        .args(flags)
        .arg("-r")
        .arg(file)
        .env("TZ", "UTC")
        .output()
        .expect("run vxdump");
    (out.stdout, out.stderr, out.status.code())
}

#[test]
fn threads_print_what_one_thread_prints() {
    let scratch = Scratch::new("parallel");
    let mut files = Vec::new();
    captures_under(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata")), &mut files);
    assert!(files.len() > 50, "testdata has {} captures", files.len());
    for shape in ["mix", "pool"] {
        let p = scratch.0.join(format!("{shape}.pcap"));
        gen_mix::generate(p.to_str().expect("path"), 20_000, 1, shape).expect("gen_mix");
        files.push(p);
    }
    // A mix cut inside a record: the same packets, then the same error, at every thread count.
    let mix = std::fs::read(scratch.0.join("mix.pcap")).expect("mix");
    files.push(scratch.file("cut.pcap", &mix[..mix.len() / 2 - 100]));
    let (mut runs, mut printed, mut failed) = (0, 0usize, Vec::new());
    for file in &files {
        for flags in FLAG_SETS {
            let one = run("1", flags, file);
            printed += one.0.len();
            for j in ["2", "8"] {
                runs += 1;
                if run(j, flags, file) != one {
                    failed.push(format!("-j {j} {} -r {}", flags.join(" "), file.display()));
                }
            }
        }
    }
    println!("{runs} runs, {printed} bytes printed by -j 1, {} differ", failed.len());
    assert!(printed > 10_000_000, "the captures printed only {printed} bytes");
    assert!(failed.is_empty(), "output differs from -j 1:\n{}", failed.join("\n"));
}

/// `-w FILE` (and `-w FILE --print`) writes the same copy (and prints the same text) with 2 and
/// 8 threads as with one, also with a filter, `-c N` and a pcapng input (section and interface
/// blocks copied as they were).
#[test]
fn threads_copy_what_one_thread_copies() {
    let scratch = Scratch::new("parallel-w");
    let mix = scratch.0.join("mix.pcap");
    gen_mix::generate(mix.to_str().expect("path"), 20_000, 2, "mix").expect("gen_mix");
    let mut files = vec![mix];
    captures_under(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata")), &mut files);
    let files: Vec<_> = files
        .into_iter()
        .filter(|f| {
            f.starts_with(&scratch.0)
                || f.extension().is_some_and(|e| e == "pcapng")
                || f.ends_with("vxlan-gbp.pcap")
        })
        .collect();
    assert!(files.len() >= 3, "{files:?}");
    let sets: &[&[&str]] = &[&[], &["--print"], &["vxlan", "300"], &["-c", "9", "--print", "udp"]];
    let mut copied = 0;
    for file in &files {
        for flags in sets {
            let mut want = None;
            for j in ["1", "2", "8"] {
                let out = scratch.0.join(format!("copy-{j}.out"));
                let mut args = vec!["-w", out.to_str().expect("path")];
                args.extend_from_slice(flags);
                let printed = run(j, &args, file);
                let bytes = std::fs::read(&out).unwrap_or_default();
                match &want {
                    None => {
                        copied += bytes.len();
                        want = Some((printed, bytes));
                    }
                    Some(w) => assert!(
                        *w == (printed, bytes),
                        "-j {j} -w {} differs from -j 1 on {}",
                        flags.join(" "),
                        file.display()
                    ),
                }
            }
        }
    }
    assert!(copied > 1_000_000, "only {copied} bytes copied");
}
