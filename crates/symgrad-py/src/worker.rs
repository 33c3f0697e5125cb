//! The thread a session lives on, and calls into it that release the GIL.
//!
//! Each Python `Session` owns one thread holding a `symgrad_lang::Session`
//! (on a large stack, as the CLI runs it). A call sends the thread a job and
//! waits for it without the GIL, waking every few milliseconds to print
//! progress lines, hand results to Python and check for signals: Ctrl-C
//! (or a Jupyter interrupt) sets the session's interrupt flag, the running
//! statement stops with the bindings kept, and the call raises
//! `KeyboardInterrupt`.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use pyo3::prelude::*;
use symgrad_lang::{Output, Session};

use crate::Error;

/// Deep expressions recurse deeply; the session thread gets the CLI's stack.
const STACK_SIZE: usize = 256 * 1024 * 1024;

/// How often a waiting call looks for signals.
const POLL: Duration = Duration::from_millis(20);

/// What the session thread reports while a job runs.
pub enum Event {
    /// A progress line of `descend` or `sgd`.
    Progress(String),
    /// A displayed result.
    Output(Output),
    /// The job's result, or its panic.
    Done(std::thread::Result<Box<dyn Any + Send>>),
}

type Job = Box<dyn FnOnce(&mut Session, &Sender<Event>) -> Box<dyn Any + Send> + Send>;

/// A session on its own thread.
pub struct Worker {
    jobs: Option<Sender<Job>>,
    /// Taken by the call in progress (a second concurrent call is refused).
    events: Mutex<Option<Receiver<Event>>>,
    interrupt: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    /// Starts the thread with a new session (the prelude loaded).
    pub fn start() -> PyResult<Worker> {
        let (jobs, job_queue) = channel::<Job>();
        let (events, event_queue) = channel::<Event>();
        let interrupt = Arc::new(AtomicBool::new(false));
        let flag = interrupt.clone();
        let thread = std::thread::Builder::new()
            .name("symgrad session".into())
            .stack_size(STACK_SIZE)
            .spawn(move || serve(&job_queue, &events, flag))
            .map_err(|e| Error::new_err(format!("cannot start the session thread: {e}")))?;
        Ok(Worker {
            jobs: Some(jobs),
            events: Mutex::new(Some(event_queue)),
            interrupt,
            thread: Some(thread),
        })
    }

    /// Stops the statement running now, as Ctrl-C does.
    pub fn interrupt(&self) {
        self.interrupt.store(true, Ordering::Relaxed);
    }

    /// Runs `job` on the session thread without the GIL; `on_output` gets
    /// each displayed result as it comes, progress lines go to `sys.stdout`.
    pub fn call<R: Send + 'static>(
        &self,
        py: Python<'_>,
        job: impl FnOnce(&mut Session, &Sender<Event>) -> R + Send + 'static,
        mut on_output: impl FnMut(Python<'_>, Output) -> PyResult<()>,
    ) -> PyResult<R> {
        let mut queue = self
            .events
            .lock()
            .map_err(|_| Error::new_err("the session failed earlier"))?
            .take()
            .ok_or_else(|| Error::new_err("the session is busy with another call"))?;
        let jobs = self
            .jobs
            .as_ref()
            .ok_or_else(|| Error::new_err("the session is closed"))?;
        self.interrupt.store(false, Ordering::Relaxed);
        let sent = jobs.send(Box::new(
            move |session: &mut Session, events: &Sender<Event>| {
                Box::new(job(session, events)) as Box<dyn Any + Send>
            },
        ));
        let mut failure: Option<PyErr> = None;
        let done = loop {
            if sent.is_err() {
                break None;
            }
            let (back, event) = py.detach(move || {
                let event = queue.recv_timeout(POLL);
                (queue, event)
            });
            queue = back;
            let handled = match event {
                Ok(Event::Done(result)) => break Some(result),
                Ok(Event::Progress(line)) => print_line(py, &line),
                Ok(Event::Output(out)) if failure.is_none() => on_output(py, out),
                Ok(Event::Output(_)) | Err(RecvTimeoutError::Timeout) => Ok(()),
                Err(RecvTimeoutError::Disconnected) => break None,
            };
            // A signal (KeyboardInterrupt) or an error of a callback stops
            // the statement; the call waits for it to stop, then raises.
            if failure.is_none()
                && let Err(e) = handled.and_then(|()| py.check_signals())
            {
                self.interrupt();
                failure = Some(e);
            }
        };
        if let Ok(mut slot) = self.events.lock() {
            *slot = Some(queue);
        }
        if let Some(e) = failure {
            return Err(e);
        }
        match done {
            Some(Ok(result)) => result
                .downcast::<R>()
                .map(|r| *r)
                .map_err(|_| Error::new_err("internal error: a result of the wrong type")),
            Some(Err(panic)) => Err(Error::new_err(format!(
                "internal error: {} (the session may be inconsistent; start a new one)",
                panic_message(&*panic)
            ))),
            None => Err(Error::new_err("the session thread has stopped")),
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.interrupt();
        // Closing the job queue ends the thread once its job finishes.
        self.jobs = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The session thread: runs jobs until the queue closes.
fn serve(jobs: &Receiver<Job>, events: &Sender<Event>, interrupt: Arc<AtomicBool>) {
    let mut session = Session::new();
    session.set_interrupt(interrupt);
    let progress = events.clone();
    session.set_progress(Box::new(move |line| {
        let _ = progress.send(Event::Progress(line.to_string()));
    }));
    for job in jobs {
        let result = catch_unwind(AssertUnwindSafe(|| job(&mut session, events)));
        if events.send(Event::Done(result)).is_err() {
            break;
        }
    }
}

/// Writes a line to Python's `sys.stdout` (a notebook's output area).
fn print_line(py: Python<'_>, line: &str) -> PyResult<()> {
    let stdout = py.import("sys")?.getattr("stdout")?;
    stdout.call_method1("write", (format!("{line}\n"),))?;
    stdout.call_method0("flush")?;
    Ok(())
}

fn panic_message(panic: &(dyn Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic".to_string()
    }
}
