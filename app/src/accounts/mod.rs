//! People who use the product, how they sign in, and what they may do.

pub mod access;
pub mod api;
pub mod model;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod login;
#[cfg(feature = "ssr")]
pub mod manage;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod throttle;
