//! What the property tests hold every generated output to, beyond "it parses": its docs hold no
//! code block that rustdoc would compile and run, and one case stays within a time and memory
//! bound.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::{Cell, RefCell};
use std::io::Write as _;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag};

/// The code blocks in the doc comments of `code` that rustdoc would treat as Rust, and so
/// compile (and run) as doctests: every indented block, and every fenced block whose info
/// string does not start with `text`. Each is returned with the doc text that holds it.
///
/// Rustdoc reads the consecutive `///` (or `//!`) lines of one item as one Markdown text, with
/// their common indentation removed; the blocks are found by the same Markdown parser rustdoc
/// uses (pulldown-cmark). Lines of an item's docs split by another attribute are read as two
/// texts, which can only find more blocks, never fewer.
pub fn runnable_doc_blocks(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    for text in doc_texts(code) {
        let options = Options::ENABLE_TABLES
            | Options::ENABLE_FOOTNOTES
            | Options::ENABLE_STRIKETHROUGH
            | Options::ENABLE_TASKLISTS;
        for event in Parser::new_ext(&text, options) {
            let Event::Start(Tag::CodeBlock(kind)) = event else {
                continue;
            };
            let inert = match &kind {
                CodeBlockKind::Fenced(info) => info.trim_start().starts_with("text"),
                CodeBlockKind::Indented => false,
            };
            if !inert {
                found.push(format!("{kind:?} in:\n{text}"));
            }
        }
    }
    found
}

/// Each item's doc text: runs of `///` or `//!` lines, prefix removed, then unindented.
fn doc_texts(code: &str) -> Vec<String> {
    let mut texts = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let mut prefix = "";
    for line in code.lines() {
        let trimmed = line.trim_start();
        let this = ["///", "//!"]
            .into_iter()
            .find(|p| trimmed.starts_with(p) && !trimmed.starts_with("////"));
        match this {
            Some(p) if p == prefix || current.is_empty() => {
                prefix = p;
                current.push(&trimmed[p.len()..]);
            }
            Some(p) => {
                texts.push(unindent(&current));
                current = vec![&trimmed[p.len()..]];
                prefix = p;
            }
            None if !current.is_empty() => {
                texts.push(unindent(&current));
                current.clear();
            }
            None => {}
        }
    }
    if !current.is_empty() {
        texts.push(unindent(&current));
    }
    texts
}

/// Rustdoc's unindent: the least indentation of the non-blank lines is removed from each.
fn unindent(lines: &[&str]) -> String {
    let indent = lines
        .iter()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start().len())
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .map(|line| line.get(indent..).unwrap_or("").trim_end_matches('\r'))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A global allocator that counts, per thread, the bytes a bounded case has allocated and not
/// freed, and refuses an allocation that would take the case past its hard limit (the process
/// then aborts with "memory allocation failed": a blow-up stops the test, not the machine).
pub struct Budgeted;

thread_local! {
    /// (live bytes, the most seen, hard limit) for a thread running a bounded case.
    static BUDGET: Cell<Option<(usize, usize, usize)>> = const { Cell::new(None) };
}

unsafe impl GlobalAlloc for Budgeted {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !charge(layout.size()) {
            return std::ptr::null_mut();
        }
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        refund(layout.size());
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() && !charge(new_size - layout.size()) {
            return std::ptr::null_mut();
        }
        if new_size < layout.size() {
            refund(layout.size() - new_size);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

thread_local! {
    /// What the thread's bounded case is, printed when it is stopped for memory: the abort
    /// that follows leaves no other way to tell which input it was.
    static CASE: RefCell<String> = const { RefCell::new(String::new()) };
}

fn charge(bytes: usize) -> bool {
    BUDGET
        .try_with(|budget| match budget.get() {
            Some((live, peak, limit)) => {
                let live = live.saturating_add(bytes);
                if live > limit {
                    // Writing to stderr does not allocate.
                    let _ = CASE.try_with(|case| {
                        let _ = writeln!(
                            std::io::stderr(),
                            "a bounded case went past {} MiB and is stopped: {}",
                            limit >> 20,
                            case.borrow()
                        );
                    });
                    return false;
                }
                budget.set(Some((live, peak.max(live), limit)));
                true
            }
            None => true,
        })
        .unwrap_or(true)
}

fn refund(bytes: usize) {
    let _ = BUDGET.try_with(|budget| {
        if let Some((live, peak, limit)) = budget.get() {
            budget.set(Some((live.saturating_sub(bytes), peak, limit)));
        }
    });
}

/// What a bounded case used.
#[derive(Debug, Clone, Copy)]
pub struct Usage {
    /// The most bytes it held at once.
    pub peak_bytes: usize,
}

/// Runs `case` on a thread of its own with at most `memory` bytes live (beyond that, the
/// process prints `what` and aborts) and fails it when it has not finished within `time`: a
/// hang is reported, not waited for. Returns the case's result and its peak memory.
pub fn bounded<T: Send + 'static>(
    what: String,
    time: Duration,
    memory: usize,
    case: impl FnOnce() -> T + Send + 'static,
) -> Result<(T, Usage), String> {
    let (send, receive) = mpsc::channel();
    thread::Builder::new()
        .name("bounded case".to_owned())
        // Debug builds recurse deeply on deep schemas; the generator's own depth limit is what
        // is under test, not the test thread's stack.
        .stack_size(256 << 20)
        .spawn(move || {
            CASE.with(|case| *case.borrow_mut() = what);
            BUDGET.with(|budget| budget.set(Some((0, 0, memory))));
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(case));
            let peak = BUDGET.with(|budget| budget.take().map_or(0, |(_, peak, _)| peak));
            let _ = send.send((result, peak));
        })
        .map_err(|e| format!("cannot start a thread: {e}"))?;
    match receive.recv_timeout(time) {
        Ok((Ok(value), peak_bytes)) => Ok((value, Usage { peak_bytes })),
        Ok((Err(panic), _)) => Err(format!("panicked: {}", panic_message(&panic))),
        Err(_) => Err(format!("did not finish within {time:?} (a hang)")),
    }
}

/// The text of a panic's payload.
pub fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "(no message)".to_owned())
}
