//! People who use the product and how they prove who they are.

#[cfg(feature = "ssr")]
pub mod password;
