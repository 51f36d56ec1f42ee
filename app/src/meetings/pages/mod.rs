//! The meetings list and the meeting editor. Both read the local store and
//! write to it; nothing here waits for the network. The server renders a
//! placeholder (it has no access to the device's store) and the browser
//! fills the page in as soon as it is live, online or not.

mod editor;
mod library;
mod list;
mod online;
mod tasks;

// Siblings reach each other's items through these.
pub use editor::MeetingPage;
#[allow(unused_imports)]
use editor::*;
pub use library::LibraryMeetings;
pub use list::MeetingsPage;
#[allow(unused_imports)]
use list::*;
#[allow(unused_imports)]
use online::*;
#[allow(unused_imports)]
use tasks::*;
