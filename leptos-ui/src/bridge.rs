//! From `futures-signals` to Leptos: the client's stores are `futures-signals` signals;
//! components read Leptos signals. [`follow`] keeps one in step with the other for as
//! long as the current reactive owner lives.

use futures::future::{AbortHandle, Abortable};
use futures_signals::signal::{Signal, SignalExt};
use leptos::prelude::*;

/// A Leptos signal that starts at `initial` and takes every value `source` publishes
/// afterwards (equal values are not re-published, so nothing re-renders for them). The
/// forwarding task stops when the current owner is cleaned up.
///
/// ```no_run
/// use futures_signals::signal::Mutable;
/// use leptos::prelude::*;
/// let count = Mutable::new(1);
/// let followed = keyward_leptos::bridge::follow(count.get(), count.signal());
/// count.set(2); // `followed` becomes 2 once the executor has run
/// # let _ = followed.get_untracked();
/// ```
pub fn follow<T, S>(initial: T, source: S) -> ReadSignal<T>
where
    T: Clone + PartialEq + Send + Sync + 'static,
    S: Signal<Item = T> + 'static,
{
    let state = RwSignal::new(initial);
    let forward = source.for_each(move |value| {
        if state.try_with_untracked(|current| current != &value).unwrap_or(false) {
            state.set(value);
        }
        async {}
    });
    let (abort, registration) = AbortHandle::new_pair();
    leptos::task::spawn_local(async move {
        let _ = Abortable::new(forward, registration).await;
    });
    on_cleanup(move || abort.abort());
    state.read_only()
}
