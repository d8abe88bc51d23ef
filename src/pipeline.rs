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
//! Memory stays flat: a fixed number of batch buffers (one per worker, at most one per core, and
//! three more) go round reader ->
//! workers -> writer -> reader, and are reused. When the writer stops (`-c N` reached, the reader
//! of the output went away, an error), the channels close and every thread ends.
//!
//! ```
//! use vxwire::capture::CaptureReader;
//! use vxwire::dissect::Config;
//! use vxwire::pipeline::{run, Finish, Output, Selector, Settings};
//! use vxwire::print::text::Options;
//!
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/vxlan-4789-p2p.pcap");
//! let text = Output::Text(Options { verbose: 1, ..Options::default() });
//! let printed = |threads| -> Result<Vec<u8>, Box<dyn std::error::Error>> {
//!     let settings = Settings { threads, count: None, line_buffered: false, output: text, interface_names: vec![] };
//!     let (mut out, mut reader) = (Vec::new(), CaptureReader::open(path)?);
//!     let finish = run::<_, std::io::Sink>(&mut reader, &Selector::new(Config::default(), vec![], None), &settings, &mut out, None)?;
//!     assert!(matches!(finish, Finish::Done));
//!     Ok(out)
//! };
//! // Two worker threads print byte for byte what one does.
//! let one = printed(1)?;
//! assert_eq!(printed(2)?, one);
//! assert!(String::from_utf8(one)?.contains("VXLAN, flags [I] (0x08), vni 100"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::capture::{CaptureError, CaptureReader, CopyWriter, Packet, Timestamp};
use crate::dissect::{cannot_carry_vni, dissect_with, Config, Dissection, Header, LinkType};
use crate::filter::{Filter, FilterError};
use crate::print::text::{Deferred, Options, TextPrinter};
use crate::print::PacketInfo;
use core::ops::ControlFlow;
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

/// One record of a batch.
#[derive(Clone, Debug, Default)]
struct Rec {
    n: u64,
    ts_sec: i64,
    ts_nsec: u32,
    len: u32,
    linktype: u32,
    interface: u32,
    epb_flags: Option<u32>,
    /// The captured bytes in `Batch::data`.
    data: Range<usize>,
    /// With `-w`: the non-packet blocks read before it (in `Batch::raw`) and the whole record
    /// (in `Batch::data`).
    meta: Range<usize>,
    record: Range<usize>,
    /// Filled by the worker: selected, and the end of its text and deferred pieces.
    selected: bool,
    text_end: usize,
    deferred_end: usize,
}

/// A batch going round: `data` is one of the reader's buffers with the records `recs` in it
/// (and `raw` the non-packet blocks for `-w`); a worker `text`,
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
    // No more batches in flight than the cores can work on at once (and three more: one being
    // read, one being written, one waiting): more workers than cores add threads, not memory.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let slots = threads.min(cores) + 3;
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

/// Hands every packet `reader` has left to `each`, in order, on the calling thread, while another
/// thread reads ahead (batches handed over without a copy, a fixed number in flight): for work
/// that must see the packets in order, such as `vxdump --summary`, with the file reading off its
/// thread. Stops when `each` breaks.
///
/// # Errors
/// What `each` returns; a read error (after every packet before it) is `Ok(Some(e))`.
pub fn read_ahead<R: Read + Send, E>(
    reader: &mut CaptureReader<R>,
    mut each: impl FnMut(&Packet<'_>) -> Result<ControlFlow<()>, E>,
) -> Result<Option<CaptureError>, E> {
    let slots = 4;
    let (free_tx, free_rx) = bounded::<Batch>(slots);
    let (work_tx, work_rx) = bounded::<Batch>(slots);
    for _ in 0..slots {
        let _ = free_tx.send(Batch::default());
    }
    std::thread::scope(|s| {
        s.spawn(move || read_batches(reader, false, &free_rx, work_tx));
        // The channels close (and the reader ends) when this returns.
        let (work_rx, free_tx) = (work_rx, free_tx);
        while let Ok(b) = work_rx.recv() {
            for r in &b.recs {
                let p = Packet {
                    ts: Timestamp::from_parts(r.ts_sec, u64::from(r.ts_nsec)),
                    len: r.len,
                    raw_link_type: r.linktype,
                    interface: r.interface,
                    epb_flags: r.epb_flags,
                    data: &b.data[r.data.clone()],
                };
                if each(&p)?.is_break() {
                    return Ok(None);
                }
            }
            if let Some(end) = b.end {
                return Ok(end);
            }
            drop(free_tx.send(b));
        }
        Ok(None)
    })
}

/// The reader thread: reads records in hand-over mode, so that each batch is one of the
/// reader's buffers, handed over whole without a copy, with the records read into it; ends at
/// the end of the capture, an error, or the writer stopping (the free channel closes).
fn read_batches<R: Read>(
    reader: &mut CaptureReader<R>,
    copying: bool,
    free: &Receiver<Batch>,
    work: Sender<Batch>,
) {
    reader.set_handover(true);
    // Hands a free batch's buffer to the reader to read into, and returns the batch.
    let fresh = |reader: &mut CaptureReader<R>| {
        let mut b = free.recv().ok()?;
        reader.add_spare_buffer(core::mem::take(&mut b.data));
        b.recs.clear();
        b.raw.clear();
        b.tail.clear();
        b.end = None;
        Some(b)
    };
    let (mut seq, mut spare) = (0, None);
    let Some(mut cur) = fresh(reader) else { return };
    loop {
        let n = reader.packets_read() + 1;
        let got = match reader.next_packet() {
            None => Err(None),
            Some(Err(e)) => Err(Some(e)),
            Some(Ok(p)) => Ok((p.ts, p.len, p.raw_link_type, p.interface, p.epb_flags)),
        };
        if let Some(old) = reader.take_retired_buffer() {
            // Every record of `cur` is in the retired buffer; this one is in the new buffer.
            cur.data = old;
            cur.seq = seq;
            seq += 1;
            let next = match spare.take() {
                Some(b) => Some(b),
                None => fresh(reader),
            };
            if work.send(core::mem::take(&mut cur)).is_err() {
                return;
            }
            let Some(next) = next else { return };
            cur = next;
        }
        if spare.is_none() && got.is_ok() {
            // A spare buffer for the next hand-over, taken now (this may wait for the writer:
            // that bounds the batches in flight).
            spare = fresh(reader);
            if spare.is_none() {
                return;
            }
        }
        match got {
            Ok((ts, len, linktype, interface, epb_flags)) => {
                let (ts_sec, ts_nsec, data) = (ts.secs(), ts.nanos(), reader.last_data_range());
                let mut rec =
                    Rec { n, ts_sec, ts_nsec, len, linktype, interface, epb_flags, data, ..Rec::default() };
                if copying {
                    let m = cur.raw.len();
                    reader.take_meta(&mut cur.raw);
                    rec.meta = m..cur.raw.len();
                    rec.record = reader.last_record_range();
                }
                cur.recs.push(rec);
            }
            Err(end) => {
                if copying {
                    reader.take_meta(&mut cur.tail);
                }
                cur.end = Some(end);
                cur.data = reader.take_buffer();
                cur.seq = seq;
                let _ = work.send(cur);
                return;
            }
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
                    Some(d) => {
                        printer.append_packet(text, &info, d);
                        Ok(())
                    }
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

/// Writes a run of packets' text: `Ok(false)` if the reader of the output went away.
fn write_run(out: &mut dyn Write, text: &[u8]) -> Result<bool, PipelineError> {
    if text.is_empty() {
        return Ok(true);
    }
    match out.write_all(text) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(PipelineError::Output(e)),
        Ok(()) => Ok(true),
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
        // Selected packets' text that needs nothing filled in is written in runs, one
        // `write_all` for many packets (usually the whole batch), not one per packet.
        let mut run = 0..0;
        let per_packet = copy.is_some() || settings.line_buffered;
        for (i, r) in b.recs.iter().enumerate() {
            if full(printed) {
                return Ok(if write_run(out, &b.text[run])? { Finish::Done } else { Finish::Closed });
            }
            if let Some((at, e)) = &b.fatal {
                if *at == i {
                    if !write_run(out, &b.text[run])? {
                        return Ok(Finish::Closed);
                    }
                    return Err(PipelineError::Filter(*e));
                }
            }
            let (text, deferred) = (text_at..r.text_end, &b.deferred[deferred_at..r.deferred_end]);
            (text_at, deferred_at) = (r.text_end, r.deferred_end);
            if copy.is_some() {
                pending_meta.extend_from_slice(&b.raw[r.meta.clone()]);
            }
            if !r.selected {
                continue;
            }
            printed += 1;
            if deferred.is_empty() && !per_packet {
                run = if run.is_empty() { text } else { run.start..text.end };
                continue;
            }
            if !write_run(out, &b.text[core::mem::replace(&mut run, 0..0)])? {
                return Ok(Finish::Closed);
            }
            // As one thread: the packet is printed, then copied, then a write error counts.
            let mut w = if deferred.is_empty() {
                out.write_all(&b.text[text])
            } else {
                resolver.resolve(out, &b.text[text], deferred)
            };
            w = w.and_then(|()| if settings.line_buffered { out.flush() } else { Ok(()) });
            if let Some(c) = copy.as_deref_mut() {
                let w = c.write_raw(&pending_meta).and_then(|()| c.write_raw(&b.data[r.record.clone()]));
                pending_meta.clear();
                match w {
                    Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(Finish::Closed),
                    Err(e) => return Err(PipelineError::Copy(e)),
                    Ok(()) => {}
                }
            }
            match w {
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(Finish::Closed),
                Err(e) => return Err(PipelineError::Output(e)),
                Ok(()) => {}
            }
        }
        if !write_run(out, &b.text[run])? {
            return Ok(Finish::Closed);
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
