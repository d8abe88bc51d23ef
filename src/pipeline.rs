//! Reading a capture file on several threads (feature `parallel`): `vxdump -j N`.
//!
//! `N` threads share the work: each takes the next batch of records from the capture (under a
//! lock: reading is a few percent of the work), selects (`--vni`, the filter expression) and
//! formats (text or JSON) every packet of it into the batch's own text buffer. The calling thread
//! is one of them and also writes the batches out in capture order, formatting one itself only
//! when none is ready to be written; so `-j 2` on two cores is two busy threads, not a reader and
//! a writer besides. What depends on the packets before (TCP relative sequence numbers, `-ttt` /
//! `-ttttt` time stamps) the workers leave out ([`Deferred`]) and the writer fills in, in order,
//! from one printer's state ([`TextPrinter::resolve`]); `-c N` and `-w` copies are counted and
//! written by the writer. So the output is byte for byte what [`Selector`] and one
//! [`TextPrinter`] give on one thread.
//!
//! [`in_order`] is the other shape, for `vxdump --summary`: every thread selects, dissects and
//! judges packets, and the calling thread adds them to the summary in capture order.
//!
//! Memory stays flat: a fixed number of batch buffers (one per thread, at most one per core, and
//! four more) go round reader -> workers -> writer -> reader, and are reused; nobody waits for a
//! free one while holding the reader. When the writer stops (`-c N` reached, the reader of the
//! output went away, an error), the channels close and every thread ends.
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
use crossbeam_channel::{bounded, Receiver};
use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::ops::Range;
use std::string::String;
use std::sync::Mutex;
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

/// Prints (or selects, for `copy`) every packet `reader` has left on `settings.threads` threads,
/// writing the text to `out` and the selected records to `copy`, in capture order.
///
/// The calling thread is one of the `settings.threads`: it writes the batches out in order and,
/// whenever none is ready to be written, reads and formats one itself. So `-j 2` is two threads on
/// a two-core machine, each reading (under a lock, a few percent of the work), formatting and
/// handing over, with no thread that only waits.
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
    // No more batches in flight than the cores can work on at once, and four more: the two the
    // reader holds (being filled, and the next), one being written and one waiting to be (so that
    // no thread waits for a free batch while another formats one); more workers than cores add
    // threads, not memory.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let slots = threads.min(cores) + 4;
    let (free_tx, free_rx) = bounded::<Batch>(slots);
    let (done_tx, done_rx) = bounded::<Batch>(slots);
    for _ in 0..slots {
        // Cannot fail: the channel holds `slots`.
        let _ = free_tx.send(Batch::default());
    }
    let input = Mutex::new(BatchReader::new(reader, copy.is_some()));
    std::thread::scope(|s| {
        for _ in 1..threads {
            let (free_rx, done_tx, input) = (free_rx.clone(), done_tx.clone(), &input);
            let mut worker = Worker::new(selector.clone(), settings);
            s.spawn(move || loop {
                let Taken::Batch(mut b) = take_batch(input, &free_rx, true) else { return };
                worker.format(&mut b);
                if done_tx.send(b).is_err() {
                    return;
                }
            });
        }
        drop(done_tx);
        let mut own = Worker::new(selector.clone(), settings);
        // The channels close (and every worker ends) when this returns.
        let (free_tx, done_rx) = (free_tx, done_rx);
        let mut writer = Writer::new(settings, out, copy);
        let (mut next, mut waiting) = (0u64, BTreeMap::new());
        let (mut workers_gone, mut exhausted) = (false, false);
        loop {
            while let Some(mut b) = waiting.remove(&next) {
                next += 1;
                if let Some(finish) = writer.write(&mut b)? {
                    return Ok(finish);
                }
                // The reader may have stopped already: then the batch is not needed.
                drop(free_tx.send(b));
            }
            if let Ok(b) = done_rx.try_recv() {
                waiting.insert(b.seq, b);
                continue;
            }
            if !exhausted {
                // Formats a batch itself if one can be read without waiting for a free batch
                // (without workers it waits: what is in flight is in `waiting`, written above).
                match take_batch(&input, &free_rx, workers_gone) {
                    Taken::Batch(mut b) => {
                        own.format(&mut b);
                        waiting.insert(b.seq, b);
                        continue;
                    }
                    Taken::End => exhausted = true,
                    Taken::NotNow => {}
                }
            }
            if workers_gone && exhausted {
                // Every batch was written (the last one, which carries `end`, returns above).
                return Ok(Finish::Done);
            }
            match done_rx.recv() {
                Ok(b) => {
                    waiting.insert(b.seq, b);
                }
                Err(_) => workers_gone = true,
            }
        }
    })
}

/// A packet [`in_order`] selected, as it hands it over.
#[derive(Debug)]
pub struct Selected<'p, 'a, P> {
    /// Its number in the capture (1 is the first record).
    pub n: u64,
    /// The packet.
    pub packet: &'p Packet<'a>,
    /// Its dissection and what `prepare` made of it; `None` for a link type the crate cannot
    /// read (selected only without `--vni` and filter, as [`Selector::select`] does).
    pub dissected: Option<(&'p Dissection<'a>, &'p P)>,
}

/// Hands every packet `reader` has left that `selector` selects to `each`, in capture order, on
/// the calling thread, with `threads` threads at work: for `vxdump --summary`, whose state must
/// see the packets in order.
///
/// Every thread takes the next group of batches (under a lock), selects and dissects its packets
/// and runs `prepare` on each dissection: the work that needs no state (a summary's checksums and
/// verdicts: `summary::Judgement`, feature `summary`). The calling thread hands the packets to `each`,
/// group after group in order, dissecting each again (the headers only, a few hundred
/// instructions) rather than keeping 1.6 KB of dissection per packet; when no group is ready it
/// prepares one itself. The state `each` works on stays in one core's cache: handing it from
/// thread to thread made the ordered part 40 % slower.
///
/// Stops when `each` breaks or fails, or the filter cannot be applied to a packet's link type
/// (after every packet before it).
///
/// # Errors
/// What `each` returns, or the filter's error; a read error (after every packet before it) is
/// `Ok(Some(e))`.
pub fn in_order<R, P, E>(
    reader: &mut CaptureReader<R>,
    selector: &Selector,
    threads: usize,
    prepare: impl Fn(&Dissection<'_>) -> P + Sync,
    mut each: impl FnMut(Selected<'_, '_, P>) -> Result<ControlFlow<()>, E>,
) -> Result<Option<CaptureError>, E>
where
    R: Read + Send,
    P: Send,
    E: From<FilterError>,
{
    let threads = threads.max(1);
    // A group per thread at work (at most one per core) and what the reader holds: the calling
    // thread, which adds, is the slowest, and frees a group just before it takes the next, which
    // is ready by then.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let slots = threads.min(cores) * GROUP + 3;
    let (free_tx, free_rx) = bounded::<Batch>(slots);
    for _ in 0..slots {
        // Cannot fail: the channel holds `slots`.
        let _ = free_tx.send(Batch::default());
    }
    let (done_tx, done_rx) = bounded::<Group<P>>(threads + 1);
    let input = Mutex::new(BatchReader::new(reader, false));
    let prepare = &prepare;
    std::thread::scope(|s| {
        for _ in 1..threads {
            let (free_rx, done_tx, input, mut selector) =
                (free_rx.clone(), done_tx.clone(), &input, selector.clone());
            s.spawn(move || {
                while let Some(g) = Group::take(input, &free_rx, true, &mut selector, prepare) {
                    if done_tx.send(g).is_err() {
                        return;
                    }
                }
            });
        }
        drop(done_tx);
        // The channels close (and every worker ends) when this returns.
        let (free_tx, done_rx, mut selector) = (free_tx, done_rx, selector.clone());
        let config = *selector.config();
        let (mut next, mut waiting) = (0u64, BTreeMap::<u64, Group<P>>::new());
        let (mut workers_gone, mut exhausted) = (false, false);
        loop {
            while let Some(mut g) = waiting.remove(&next) {
                if let Some(end) = g.hand_over(&config, &mut each) {
                    return end;
                }
                next = g.next_seq();
                for b in g.batches {
                    // The reader may have stopped already: then the batch is not needed.
                    drop(free_tx.send(b));
                }
            }
            if let Ok(g) = done_rx.try_recv() {
                waiting.insert(g.seq(), g);
                continue;
            }
            if !exhausted {
                // Prepares a group itself if one can be read without waiting for a free batch
                // (without workers it waits: what is in flight is in `waiting`, handed over above).
                match Group::take(&input, &free_rx, workers_gone, &mut selector, prepare) {
                    Some(g) => {
                        waiting.insert(g.seq(), g);
                        continue;
                    }
                    None if workers_gone || input.lock().map_or(true, |r| r.ended && r.ready.is_none()) => {
                        exhausted = true
                    }
                    None => {}
                }
            }
            if workers_gone && exhausted {
                // Every group was handed over (the last one, which carries `end`, returns above).
                return Ok(None);
            }
            match done_rx.recv() {
                Ok(g) => {
                    waiting.insert(g.seq(), g);
                }
                Err(_) => workers_gone = true,
            }
        }
    })
}

/// At most this many batches (of about 64 KiB each) make a group of [`in_order`].
const GROUP: usize = 2;

/// Consecutive batches with what was prepared of their packets.
struct Group<P> {
    batches: Vec<Batch>,
    /// Per record: selected (with what `prepare` made of its dissection, `None` for a link type
    /// the crate cannot read) or not.
    prepared: Vec<Option<Option<P>>>,
    /// The record the filter could not be applied to (the first not in `prepared`), and why.
    fatal: Option<FilterError>,
}

impl<P> Group<P> {
    /// Takes the next batches (at most [`GROUP`], at least one, without waiting for free
    /// batches while holding the reader; waiting for them only if `wait`) and prepares their
    /// packets; `None` at the end of the capture, or when none can be had without waiting.
    fn take<R: Read>(
        input: &Mutex<BatchReader<'_, R>>,
        free: &Receiver<Batch>,
        wait: bool,
        selector: &mut Selector,
        prepare: &impl Fn(&Dissection<'_>) -> P,
    ) -> Option<Group<P>> {
        let mut batches = Vec::with_capacity(GROUP);
        loop {
            let Ok(mut r) = input.lock() else { return None };
            while batches.len() < GROUP && r.stock_up(free, false) {
                match r.next() {
                    Some(b) => batches.push(b),
                    None => break,
                }
            }
            if !batches.is_empty() || r.ended && r.ready.is_none() || !wait {
                break;
            }
            drop(r);
            let b = free.recv().ok()?;
            input.lock().ok()?.stock.push(b);
        }
        if batches.is_empty() {
            return None;
        }
        let mut g = Group { prepared: Vec::new(), batches, fatal: None };
        'prepare: for b in &g.batches {
            for r in &b.recs {
                match selector.select(&b.data[r.data.clone()], r.linktype, r.len, |d| d.map(prepare)) {
                    Ok(p) => g.prepared.push(p),
                    Err(e) => {
                        g.fatal = Some(e);
                        break 'prepare;
                    }
                }
            }
        }
        Some(g)
    }

    fn seq(&self) -> u64 {
        self.batches.first().map_or(0, |b| b.seq)
    }

    fn next_seq(&self) -> u64 {
        self.batches.last().map_or(0, |b| b.seq + 1)
    }

    /// Hands the selected packets to `each`, dissected again; `Some` when the run ends here.
    fn hand_over<E: From<FilterError>>(
        &mut self,
        config: &Config,
        each: &mut impl FnMut(Selected<'_, '_, P>) -> Result<ControlFlow<()>, E>,
    ) -> Option<Result<Option<CaptureError>, E>> {
        let mut ready = self.prepared.iter();
        for b in &self.batches {
            for (r, p) in b.recs.iter().zip(ready.by_ref()) {
                let Some(p) = p else { continue };
                let packet = Packet {
                    ts: Timestamp::from_parts(r.ts_sec, u64::from(r.ts_nsec)),
                    len: r.len,
                    raw_link_type: r.linktype,
                    interface: r.interface,
                    epb_flags: r.epb_flags,
                    data: &b.data[r.data.clone()],
                };
                let flow = match (p, LinkType::from_linktype(r.linktype)) {
                    (Some(p), Some(link)) => dissect_with(packet.data, link, config, |d| {
                        each(Selected { n: r.n, packet: &packet, dissected: Some((d, p)) })
                    }),
                    _ => each(Selected { n: r.n, packet: &packet, dissected: None }),
                };
                match flow {
                    Ok(ControlFlow::Continue(())) => {}
                    Ok(ControlFlow::Break(())) => return Some(Ok(None)),
                    Err(e) => return Some(Err(e)),
                }
            }
        }
        if let Some(e) = self.fatal.take() {
            return Some(Err(E::from(e)));
        }
        self.batches.last_mut().and_then(|b| b.end.take()).map(Ok)
    }
}

/// What [`take_batch`] got (moved once per batch of hundreds of packets: not worth a box).
#[allow(clippy::large_enum_variant)]
enum Taken {
    Batch(Batch),
    /// The capture ended (or the writer stopped, or a thread panicked holding the reader).
    End,
    /// Not without waiting for a free batch.
    NotNow,
}

/// Reads the next batch from the shared reader. Nobody waits for a free batch while holding the
/// reader (only the calling thread of [`run`] frees batches, and it takes the reader too): the
/// batches are taken first, one at a time without the reader, and stocked in it. `wait`: wait for
/// free batches, else return [`Taken::NotNow`].
fn take_batch<R: Read>(input: &Mutex<BatchReader<'_, R>>, free: &Receiver<Batch>, wait: bool) -> Taken {
    loop {
        let Ok(mut r) = input.lock() else { return Taken::End };
        if r.stock_up(free, false) {
            return r.next().map_or(Taken::End, Taken::Batch);
        }
        drop(r);
        if !wait {
            return Taken::NotNow;
        }
        let Ok(b) = free.recv() else { return Taken::End };
        let Ok(mut r) = input.lock() else { return Taken::End };
        r.stock.push(b);
    }
}

/// Cuts a capture into batches: reads records in hand-over mode, so that each batch is one of the
/// reader's buffers, handed over whole without a copy, with the records read into it.
struct BatchReader<'r, R: Read> {
    reader: &'r mut CaptureReader<R>,
    copying: bool,
    seq: u64,
    /// The batch being filled, and the one that takes over when its buffer is retired.
    cur: Option<Batch>,
    spare: Option<Batch>,
    /// A complete batch not handed out yet (the last one, when the one before it completed in
    /// the same step).
    ready: Option<Batch>,
    /// Free batches taken for it (see [`take_batch`]), used before the free channel.
    stock: Vec<Batch>,
    ended: bool,
}

impl<'r, R: Read> BatchReader<'r, R> {
    fn new(reader: &'r mut CaptureReader<R>, copying: bool) -> BatchReader<'r, R> {
        reader.set_handover(true);
        BatchReader {
            reader,
            copying,
            seq: 0,
            cur: None,
            spare: None,
            ready: None,
            stock: Vec::new(),
            ended: false,
        }
    }

    /// Takes free batches until the stock holds what [`Self::next`] may need, waiting for them
    /// if `wait`; whether it does.
    fn stock_up(&mut self, free: &Receiver<Batch>, wait: bool) -> bool {
        while self.stock.len() < self.needs() {
            let b = if wait { free.recv().ok() } else { free.try_recv().ok() };
            match b {
                Some(b) => self.stock.push(b),
                None => return false,
            }
        }
        true
    }

    /// A batch from the stock, its buffer handed to the reader to read into; `None` (and the
    /// end) when there is none: the writer stopped (the free channel closed).
    fn fresh(&mut self) -> Option<Batch> {
        let Some(mut b) = self.stock.pop() else {
            self.ended = true;
            return None;
        };
        self.reader.add_spare_buffer(core::mem::take(&mut b.data));
        b.recs.clear();
        b.raw.clear();
        b.tail.clear();
        b.end = None;
        Some(b)
    }

    /// How many free batches [`Self::next`] may take (it waits if there are fewer).
    fn needs(&self) -> usize {
        if self.ready.is_some() || self.ended {
            return 0;
        }
        1 + usize::from(self.cur.is_none()) + usize::from(self.spare.is_none())
    }

    /// The next complete batch, taking at most [`Self::needs`] from the stock; `None` after the last one (which
    /// carries the end of the capture or the error reading stopped at).
    fn next(&mut self) -> Option<Batch> {
        if let Some(b) = self.ready.take() {
            return Some(b);
        }
        if self.ended {
            return None;
        }
        let mut cur = match self.cur.take() {
            Some(b) => b,
            None => self.fresh()?,
        };
        loop {
            let n = self.reader.packets_read() + 1;
            let got = match self.reader.next_packet() {
                None => Err(None),
                Some(Err(e)) => Err(Some(e)),
                Some(Ok(p)) => Ok((p.ts, p.len, p.raw_link_type, p.interface, p.epb_flags)),
            };
            let mut complete = None;
            if let Some(old) = self.reader.take_retired_buffer() {
                // Every record of `cur` is in the retired buffer; this one is in the new buffer.
                cur.data = old;
                cur.seq = self.seq;
                self.seq += 1;
                let next = match self.spare.take() {
                    Some(b) => b,
                    None => match self.fresh() {
                        Some(b) => b,
                        None => return Some(cur),
                    },
                };
                complete = Some(core::mem::replace(&mut cur, next));
            }
            if self.spare.is_none() && got.is_ok() {
                // A spare buffer for the next hand-over, taken now (this may wait for the writer:
                // that bounds the batches in flight).
                self.spare = Some(match self.fresh() {
                    Some(b) => b,
                    None => return complete,
                });
            }
            match got {
                Ok((ts, len, linktype, interface, epb_flags)) => {
                    let (ts_sec, ts_nsec, data) = (ts.secs(), ts.nanos(), self.reader.last_data_range());
                    let mut rec = Rec {
                        n,
                        ts_sec,
                        ts_nsec,
                        len,
                        linktype,
                        interface,
                        epb_flags,
                        data,
                        ..Rec::default()
                    };
                    if self.copying {
                        let m = cur.raw.len();
                        self.reader.take_meta(&mut cur.raw);
                        rec.meta = m..cur.raw.len();
                        rec.record = self.reader.last_record_range();
                    }
                    cur.recs.push(rec);
                }
                Err(end) => {
                    if self.copying {
                        self.reader.take_meta(&mut cur.tail);
                    }
                    cur.end = Some(end);
                    cur.data = self.reader.take_buffer();
                    cur.seq = self.seq;
                    self.ended = true;
                    return match complete {
                        Some(c) => {
                            self.ready = Some(cur);
                            Some(c)
                        }
                        None => Some(cur),
                    };
                }
            }
            if let Some(c) = complete {
                self.cur = Some(cur);
                return Some(c);
            }
        }
    }
}

/// What a thread needs to select and format the packets of a batch.
struct Worker {
    selector: Selector,
    printer: TextPrinter,
    json: bool,
    quiet: bool,
}

impl Worker {
    fn new(selector: Selector, settings: &Settings) -> Worker {
        let (opts, json, quiet) = match settings.output {
            Output::Text(o) => (o, false, false),
            Output::Json(o) => (o, true, false),
            Output::Nothing => (Options::default(), false, true),
        };
        let mut printer = TextPrinter::new(opts);
        printer.set_interface_names(settings.interface_names.clone());
        printer.set_deferred(true);
        Worker { selector, printer, json, quiet }
    }

    /// Selects and formats every packet of `b` into its text buffer.
    fn format(&mut self, b: &mut Batch) {
        b.text.clear();
        b.deferred.clear();
        b.fatal = None;
        let Worker { selector, printer, json, quiet, .. } = self;
        let (json, quiet) = (*json, *quiet);
        let Batch { recs, data, text, deferred, fatal, .. } = b;
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
    }
}

/// What a write leads to: `Ok(Some(Finish::Closed))` if the reader of the output (or of the copy)
/// went away, the error as `kind` says if it failed otherwise, `Ok(None)` if it was written.
fn written(w: io::Result<()>, kind: fn(io::Error) -> PipelineError) -> Result<Option<Finish>, PipelineError> {
    match w {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(Some(Finish::Closed)),
        Err(e) => Err(kind(e)),
        Ok(()) => Ok(None),
    }
}

/// Writes a run of packets' text (see [`written`]).
fn write_run(out: &mut dyn Write, text: &[u8]) -> Result<Option<Finish>, PipelineError> {
    if text.is_empty() {
        return Ok(None);
    }
    written(out.write_all(text), PipelineError::Output)
}

/// The writer (on the calling thread): writes the batches out, in the order it is given them, as
/// one thread would have printed them.
struct Writer<'o, 'c, W: Write> {
    settings: &'o Settings,
    out: &'o mut dyn Write,
    copy: Option<&'c mut CopyWriter<W>>,
    /// Fills in what the workers left out, from the packets before.
    resolver: TextPrinter,
    printed: u64,
    /// With `-w`: the non-packet blocks since the last selected record.
    pending_meta: Vec<u8>,
}

impl<'o, 'c, W: Write> Writer<'o, 'c, W> {
    fn new(settings: &'o Settings, out: &'o mut dyn Write, copy: Option<&'c mut CopyWriter<W>>) -> Self {
        let opts = match settings.output {
            Output::Text(o) | Output::Json(o) => o,
            Output::Nothing => Options::default(),
        };
        Writer { settings, out, copy, resolver: TextPrinter::new(opts), printed: 0, pending_meta: Vec::new() }
    }

    fn full(&self) -> bool {
        self.settings.count.is_some_and(|c| self.printed >= c)
    }

    /// Writes the next batch: `Ok(Some(..))` when the run ends with it.
    fn write(&mut self, b: &mut Batch) -> Result<Option<Finish>, PipelineError> {
        let (mut text_at, mut deferred_at) = (0, 0);
        // Selected packets' text that needs nothing filled in is written in runs, one
        // `write_all` for many packets (usually the whole batch), not one per packet.
        let mut run = 0..0;
        let per_packet = self.copy.is_some() || self.settings.line_buffered;
        for (i, r) in b.recs.iter().enumerate() {
            if self.full() {
                return Ok(Some(write_run(self.out, &b.text[run])?.unwrap_or(Finish::Done)));
            }
            if let Some((at, e)) = &b.fatal {
                if *at == i {
                    if let Some(f) = write_run(self.out, &b.text[run])? {
                        return Ok(Some(f));
                    }
                    return Err(PipelineError::Filter(*e));
                }
            }
            let (text, deferred) = (text_at..r.text_end, &b.deferred[deferred_at..r.deferred_end]);
            (text_at, deferred_at) = (r.text_end, r.deferred_end);
            if self.copy.is_some() {
                self.pending_meta.extend_from_slice(&b.raw[r.meta.clone()]);
            }
            if !r.selected {
                continue;
            }
            self.printed += 1;
            if deferred.is_empty() && !per_packet {
                run = if run.is_empty() { text } else { run.start..text.end };
                continue;
            }
            if let Some(f) = write_run(self.out, &b.text[core::mem::replace(&mut run, 0..0)])? {
                return Ok(Some(f));
            }
            // As one thread: the packet is printed, then copied, then a write error counts.
            let mut w = if deferred.is_empty() {
                self.out.write_all(&b.text[text])
            } else {
                self.resolver.resolve(self.out, &b.text[text], deferred)
            };
            w = w.and_then(|()| if self.settings.line_buffered { self.out.flush() } else { Ok(()) });
            if let Some(c) = self.copy.as_deref_mut() {
                let w = c.write_raw(&self.pending_meta).and_then(|()| c.write_raw(&b.data[r.record.clone()]));
                self.pending_meta.clear();
                if let Some(f) = written(w, PipelineError::Copy)? {
                    return Ok(Some(f));
                }
            }
            if let Some(f) = written(w, PipelineError::Output)? {
                return Ok(Some(f));
            }
        }
        if let Some(f) = write_run(self.out, &b.text[run])? {
            return Ok(Some(f));
        }
        if self.full() {
            return Ok(Some(Finish::Done));
        }
        if let Some((_, e)) = b.fatal {
            return Err(PipelineError::Filter(e));
        }
        let Some(end) = b.end.take() else { return Ok(None) };
        if let Some(c) = self.copy.as_deref_mut() {
            self.pending_meta.extend_from_slice(&b.tail);
            if let Some(f) = written(c.write_raw(&self.pending_meta), PipelineError::Copy)? {
                return Ok(Some(f));
            }
        }
        Ok(Some(match end {
            None => Finish::Done,
            Some(e) => Finish::ReadError(e),
        }))
    }
}
