//! Reading a capture file on several threads (feature `parallel`): `vxdump -j N`.
//!
//! One reader thread cuts the capture into batches of records; `N` worker threads select
//! (`--vni`, the filter expression) and format (text or JSON) every packet of a batch into the
//! batch's own text buffer; the calling thread writes the batches out in capture order. What
//! depends on the packets before (TCP relative sequence numbers, `-ttt` / `-ttttt` time stamps)
//! the workers leave out ([`Deferred`]) and the writer fills in, in order, from one printer's
//! state ([`TextPrinter::resolve`]); `-c N` and `-w` copies are counted and written by the writer.
//! So the output is byte for byte what [`Selector`] and one [`TextPrinter`] give on one thread.
//!
//! Memory stays flat: a fixed number of batch buffers (four per worker) go round reader ->
//! workers -> writer -> reader, and are reused. When the writer stops (`-c N` reached, the reader
//! of the output went away, an error), the channels close and every thread ends.

use crate::capture::{CaptureError, CaptureReader, CopyWriter};
use crate::dissect::{cannot_carry_vni, dissect_with, Config, Dissection, Header, LinkType};
use crate::filter::{Filter, FilterError};
use crate::print::text::{Deferred, Options, TextPrinter};
use crate::print::PacketInfo;
use crossbeam_channel::{bounded, Receiver, Sender};
use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::ops::Range;
use std::string::String;
use std::vec::Vec;

/// Which packets are printed: `--vni` and the filter expression, checked the cheap way first
/// (bytes, then a VNI prefilter) and on the dissection last.
#[derive(Clone, Debug)]
pub struct Selector {
    config: Config,
    vni: Vec<u32>,
    filter: Option<Filter>,
    /// The link type the filter was last checked against.
    checked_link: Option<LinkType>,
}

impl Selector {
    /// Selects packets with one of the VNIs `vni` (all when empty) that `filter` matches.
    pub fn new(config: Config, vni: Vec<u32>, filter: Option<Filter>) -> Selector {
        Selector { config, vni, filter, checked_link: None }
    }

    /// The filter expression.
    pub fn filter(&self) -> Option<&Filter> {
        self.filter.as_ref()
    }

    /// What the dissections look for.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Whether the packet (`data` captured of `len` bytes, LINKTYPE_ `linktype`) is selected:
    /// `Ok(None)` if not, else `Ok(Some(f(..)))` with its dissection (`None` for a link type the
    /// crate cannot read, which is selected only without `--vni` and filter).
    ///
    /// # Errors
    /// The filter cannot be applied to the packet's link type.
    pub fn select<T>(
        &mut self,
        data: &[u8],
        linktype: u32,
        len: u32,
        f: impl FnOnce(Option<&Dissection<'_>>) -> T,
    ) -> Result<Option<T>, FilterError> {
        let Some(link) = LinkType::from_linktype(linktype) else {
            if !self.vni.is_empty() || self.filter.is_some() {
                return Ok(None);
            }
            return Ok(Some(f(None)));
        };
        if self.checked_link != Some(link) {
            if let Some(f) = &self.filter {
                f.check_link(link)?;
            }
            self.checked_link = Some(link);
        }
        let (vni, config) = (&self.vni, &self.config);
        if !vni.is_empty() && cannot_carry_vni(data, link, config, vni) {
            return Ok(None);
        }
        if let Some(f) = &self.filter {
            if !f.needs_dissection() && !f.matches_bytes(data, link, len, config) {
                return Ok(None);
            }
            if f.vni_prefilter().is_some_and(|v| cannot_carry_vni(data, link, config, v)) {
                return Ok(None);
            }
        }
        let filter = self.filter.as_ref().filter(|f| f.needs_dissection());
        // dissect_with hands the dissection over in place (no copy of it per packet).
        Ok(dissect_with(data, link, config, |d| {
            if !vni.is_empty()
                && !d.layers().any(|l| match l.header {
                    Header::Vxlan(v) => vni.contains(&v.vni().get()),
                    Header::VxlanGpe(v) => vni.contains(&v.vni().get()),
                    _ => false,
                })
            {
                return None;
            }
            if filter.is_some_and(|f| !f.matches(d, link, len)) {
                return None;
            }
            Some(f(Some(d)))
        }))
    }
}

/// What the selected packets become.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// tcpdump text with these options.
    Text(Options),
    /// JSON lines (frames of a link type the crate cannot read still get the text marker).
    Json(Options),
    /// Nothing (`-w` without `--print`): the selection only.
    Nothing,
}

/// How the pipeline runs.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Worker threads (at least 1).
    pub threads: usize,
    /// Stop after this many selected packets (`-c N`).
    pub count: Option<u64>,
    /// Flush the output after every packet (`-l`).
    pub line_buffered: bool,
    /// What is printed.
    pub output: Output,
    /// Interface names for Linux cooked v2 frames (see [`TextPrinter::set_interface_names`]).
    pub interface_names: Vec<(u32, String)>,
}

/// How a run ended.
#[derive(Debug)]
pub enum Finish {
    /// Every record was read (or `-c N` packets were selected).
    Done,
    /// The reader of the output (or of the `-w` copy) went away.
    Closed,
    /// Reading stopped at a bad or truncated record, after every packet before it was written.
    ReadError(CaptureError),
}

/// What stopped a run.
#[derive(Debug)]
pub enum PipelineError {
    /// The filter expression cannot be applied to a packet's link type.
    Filter(FilterError),
    /// Writing the printed output failed.
    Output(io::Error),
    /// Writing the `-w` copy failed.
    Copy(io::Error),
}

impl core::fmt::Display for PipelineError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            PipelineError::Filter(e) => write!(f, "{e}"),
            PipelineError::Output(e) => write!(f, "writing output: {e}"),
            PipelineError::Copy(e) => write!(f, "writing the copy: {e}"),
        }
    }
}

impl std::error::Error for PipelineError {}

/// Records per batch, and the captured bytes after which a batch is closed early.
const BATCH_RECORDS: usize = 1024;
const BATCH_BYTES: usize = 1 << 20;

/// One record of a batch.
#[derive(Clone, Debug, Default)]
struct Rec {
    n: u64,
    ts_sec: i64,
    ts_nsec: u32,
    len: u32,
    linktype: u32,
    /// The captured bytes in `Batch::data`.
    data: Range<usize>,
    /// With `-w`: the non-packet blocks read before it, then the record, in `Batch::raw`.
    meta: Range<usize>,
    record: Range<usize>,
    /// Filled by the worker: selected, and the end of its text and deferred pieces.
    selected: bool,
    text_end: usize,
    deferred_end: usize,
}

/// A batch buffer going round: the reader fills `recs`, `data` and `raw`; a worker `text`,
/// `deferred` and the records' results; the writer writes it out and hands it back.
#[derive(Debug, Default)]
struct Batch {
    seq: u64,
    recs: Vec<Rec>,
    data: Vec<u8>,
    raw: Vec<u8>,
    /// After the last record: the end of the capture (`Some(None)`), or the error reading stopped at.
    end: Option<Option<CaptureError>>,
    /// With `-w`: the non-packet blocks after the last record of the file.
    tail: Vec<u8>,
    text: Vec<u8>,
    deferred: Vec<Deferred>,
    /// The record (index) the filter could not be applied to, and why.
    fatal: Option<(usize, FilterError)>,
}

/// Prints (or selects, for `copy`) every packet `reader` has left on `settings.threads` worker
/// threads, writing the text to `out` and the selected records to `copy`, in capture order.
///
/// # Errors
/// The filter does not apply to a link type, or writing failed (other than the reader going away).
pub fn run<R: Read + Send, W: Write>(
    reader: &mut CaptureReader<R>,
    selector: &Selector,
    settings: &Settings,
    out: &mut dyn Write,
    copy: Option<&mut CopyWriter<W>>,
) -> Result<Finish, PipelineError> {
    let threads = settings.threads.max(1);
    let slots = 4 * threads;
    let (free_tx, free_rx) = bounded::<Batch>(slots);
    let (work_tx, work_rx) = bounded::<Batch>(slots);
    let (done_tx, done_rx) = bounded::<Batch>(slots);
    for _ in 0..slots {
        // Cannot fail: the channel holds `slots`.
        let _ = free_tx.send(Batch::default());
    }
    let copying = copy.is_some();
    std::thread::scope(|s| {
        s.spawn(move || read_batches(reader, copying, &free_rx, work_tx));
        for _ in 0..threads {
            let (work_rx, done_tx) = (work_rx.clone(), done_tx.clone());
            let mut selector = selector.clone();
            s.spawn(move || format_batches(&mut selector, settings, &work_rx, &done_tx));
        }
        drop((work_rx, done_tx));
        write_batches(settings, out, copy, done_rx, free_tx)
    })
}

/// The reader thread: fills free batches with records until the end of the capture, an error,
/// or the writer stopping (the free channel closes).
fn read_batches<R: Read>(
    reader: &mut CaptureReader<R>,
    copying: bool,
    free: &Receiver<Batch>,
    work: Sender<Batch>,
) {
    let mut seq = 0;
    loop {
        let Ok(mut b) = free.recv() else { return };
        b.seq = seq;
        seq += 1;
        b.recs.clear();
        b.data.clear();
        b.raw.clear();
        b.tail.clear();
        b.end = None;
        while b.recs.len() < BATCH_RECORDS && b.data.len() < BATCH_BYTES {
            let n = reader.packets_read() + 1;
            let mut rec = match reader.next_packet() {
                None => {
                    b.end = Some(None);
                    break;
                }
                Some(Err(e)) => {
                    b.end = Some(Some(e));
                    break;
                }
                Some(Ok(p)) => {
                    let start = b.data.len();
                    b.data.extend_from_slice(p.data);
                    Rec {
                        n,
                        ts_sec: p.ts.secs(),
                        ts_nsec: p.ts.nanos(),
                        len: p.len,
                        linktype: p.raw_link_type,
                        data: start..b.data.len(),
                        ..Rec::default()
                    }
                }
            };
            if copying {
                let m = b.raw.len();
                reader.take_meta(&mut b.raw);
                let r = b.raw.len();
                b.raw.extend_from_slice(reader.last_record());
                (rec.meta, rec.record) = (m..r, r..b.raw.len());
            }
            b.recs.push(rec);
        }
        let last = b.end.is_some();
        if last && copying {
            reader.take_meta(&mut b.tail);
        }
        if work.send(b).is_err() || last {
            return;
        }
    }
}

/// A worker thread: selects and formats the packets of each batch it gets.
fn format_batches(
    selector: &mut Selector,
    settings: &Settings,
    work: &Receiver<Batch>,
    done: &Sender<Batch>,
) {
    let (opts, json, quiet) = match settings.output {
        Output::Text(o) => (o, false, false),
        Output::Json(o) => (o, true, false),
        Output::Nothing => (Options::default(), false, true),
    };
    let mut printer = TextPrinter::new(opts);
    printer.set_interface_names(settings.interface_names.clone());
    printer.set_deferred(true);
    while let Ok(mut b) = work.recv() {
        b.text.clear();
        b.deferred.clear();
        b.fatal = None;
        let Batch { recs, data, text, deferred, fatal, .. } = &mut b;
        for (i, r) in recs.iter_mut().enumerate() {
            let bytes = &data[r.data.clone()];
            let info =
                PacketInfo { n: r.n, ts_sec: r.ts_sec, ts_nsec: r.ts_nsec, caplen: bytes.len(), len: r.len };
            let linktype = r.linktype;
            let picked = selector.select(bytes, linktype, r.len, |d| {
                // Writing to a Vec cannot fail.
                let _ = match d {
                    _ if quiet => Ok(()),
                    None => printer.write_unknown_link(text, &info, linktype),
                    Some(d) if json => crate::print::json::write_packet(text, &info, d),
                    Some(d) => printer.write_packet(text, &info, d),
                };
                deferred.extend_from_slice(printer.deferred());
            });
            match picked {
                Ok(p) => r.selected = p.is_some(),
                Err(e) => {
                    *fatal = Some((i, e));
                    break;
                }
            }
            r.text_end = text.len();
            r.deferred_end = deferred.len();
        }
        if done.send(b).is_err() {
            return;
        }
    }
}

/// The writer (the calling thread): puts the batches back in order and writes them out.
fn write_batches<W: Write>(
    settings: &Settings,
    out: &mut dyn Write,
    mut copy: Option<&mut CopyWriter<W>>,
    done: Receiver<Batch>,
    free: Sender<Batch>,
) -> Result<Finish, PipelineError> {
    let opts = match settings.output {
        Output::Text(o) | Output::Json(o) => o,
        Output::Nothing => Options::default(),
    };
    let mut resolver = TextPrinter::new(opts);
    let (mut next, mut waiting) = (0u64, BTreeMap::new());
    let mut printed = 0u64;
    let mut pending_meta = Vec::new();
    let full = |printed: u64| settings.count.is_some_and(|c| printed >= c);
    loop {
        let b = match waiting.remove(&next) {
            Some(b) => b,
            None => match done.recv() {
                Ok(b) => {
                    waiting.insert(b.seq, b);
                    continue;
                }
                // Every worker ended without the batch: the reader stopped (cannot happen
                // before the last batch, which carries `end`).
                Err(_) => return Ok(Finish::Done),
            },
        };
        next += 1;
        let (mut text_at, mut deferred_at) = (0, 0);
        for (i, r) in b.recs.iter().enumerate() {
            if full(printed) {
                return Ok(Finish::Done);
            }
            if let Some((at, e)) = &b.fatal {
                if *at == i {
                    return Err(PipelineError::Filter(*e));
                }
            }
            let (text, deferred) = (&b.text[text_at..r.text_end], &b.deferred[deferred_at..r.deferred_end]);
            (text_at, deferred_at) = (r.text_end, r.deferred_end);
            // As one thread: the packet is printed, then copied, then a write error counts.
            let mut w = Ok(());
            if r.selected {
                printed += 1;
                w = if deferred.is_empty() {
                    out.write_all(text)
                } else {
                    resolver.resolve(out, text, deferred)
                };
                w = w.and_then(|()| if settings.line_buffered { out.flush() } else { Ok(()) });
            }
            if let Some(c) = copy.as_deref_mut() {
                pending_meta.extend_from_slice(&b.raw[r.meta.clone()]);
                if r.selected {
                    let w = c.write_raw(&pending_meta).and_then(|()| c.write_raw(&b.raw[r.record.clone()]));
                    pending_meta.clear();
                    match w {
                        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(Finish::Closed),
                        Err(e) => return Err(PipelineError::Copy(e)),
                        Ok(()) => {}
                    }
                }
            }
            match w {
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(Finish::Closed),
                Err(e) => return Err(PipelineError::Output(e)),
                Ok(()) => {}
            }
        }
        if full(printed) {
            return Ok(Finish::Done);
        }
        if let Some((_, e)) = b.fatal {
            return Err(PipelineError::Filter(e));
        }
        match b.end {
            Some(end) => {
                if let Some(c) = copy.as_deref_mut() {
                    pending_meta.extend_from_slice(&b.tail);
                    match c.write_raw(&pending_meta) {
                        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(Finish::Closed),
                        Err(e) => return Err(PipelineError::Copy(e)),
                        Ok(()) => {}
                    }
                }
                return Ok(match end {
                    None => Finish::Done,
                    Some(e) => Finish::ReadError(e),
                });
            }
            // The reader may have stopped already: then the batch is not needed.
            None => drop(free.send(b)),
        }
    }
}
