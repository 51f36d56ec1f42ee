//! The one error type server functions return. It crosses the wire as JSON
//! (`{"code":"forbidden"}`), carries no internals, and the UI turns it into a
//! sentence in the person's language.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum AppError {
    #[error("not signed in")]
    Unauthorized,
    #[error("wrong e-mail or password")]
    BadCredentials,
    #[error("not allowed")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("too many failed attempts; retry in {retry_after_secs} s")]
    TooManyAttempts { retry_after_secs: u64 },
    /// Too many passwords are being checked right now (a burst of sign-ins).
    #[error("busy; retry in {retry_after_secs} s")]
    Busy { retry_after_secs: u64 },
    #[error("invalid {field:?}: {problem}")]
    Validation { field: Field, problem: Problem },
    /// The request is over the size limit.
    #[error("request too large")]
    TooLarge,
    /// The request could not be read (malformed JSON, a missing argument).
    #[error("malformed request")]
    BadRequest,
    /// The body is not declared as JSON: server functions read nothing else,
    /// so a form on another site cannot post to them.
    #[error("the request body must be application/json")]
    NotJson,
    #[error("internal error")]
    Internal,
    /// The request did not complete (network, encoding): never from our code.
    #[error("request failed: {message}")]
    Transport { message: String },
}

/// The input field a validation error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Email,
    FullName,
    Password,
    CurrentPassword,
    Role,
    Program,
    RetentionMonths,
    ClauseShort,
    ClauseFull,
}

/// Why a field was refused. The interface turns it into a sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    #[error("required")]
    Required,
    #[error("too long")]
    TooLong,
    #[error("not an e-mail address")]
    NotAnEmail,
    #[error("too short")]
    TooShort,
    #[error("too common")]
    TooCommon,
    #[error("contains the e-mail address")]
    ContainsEmail,
    #[error("does not match")]
    Mismatch,
    #[error("wrong current password")]
    WrongPassword,
    #[error("the account is deactivated")]
    Deactivated,
    #[error("not a choice here")]
    NotAllowedChoice,
    /// An approved version is kept as it was approved.
    #[error("approved versions cannot be changed or removed")]
    Approved,
}

impl AppError {
    pub fn invalid(field: Field, problem: Problem) -> Self {
        Self::Validation { field, problem }
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            Self::Unauthorized | Self::BadCredentials => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::Validation { .. } => 422,
            Self::TooLarge => 413,
            Self::NotJson => 415,
            Self::TooManyAttempts { .. } | Self::Busy { .. } => 429,
            Self::BadRequest | Self::Transport { .. } => 400,
            Self::Internal => 500,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // A body without a length that ran past the server's limit.
            ServerFnErrorErr::Args(message) | ServerFnErrorErr::Deserialization(message)
                if message.contains("length limit exceeded") =>
            {
                Self::TooLarge
            }
            // On the server: the request's arguments could not be read.
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::MissingArg(_)
            | ServerFnErrorErr::Deserialization(_)
            | ServerFnErrorErr::UnsupportedRequestMethod(_) => Self::BadRequest,
            other => Self::Transport {
                message: other.to_string(),
            },
        }
    }
}

/// Logs an internal failure with its details and hands the client only
/// `Internal`: the actual error is not returned, for security reasons.
#[cfg(feature = "ssr")]
pub fn internal(context: &str, error: impl std::fmt::Display) -> AppError {
    tracing::error!("{context}: {error}");
    AppError::Internal
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        internal("database", error)
    }
}

/// Sets the HTTP status of the current server-function response from its result.
#[cfg(feature = "ssr")]
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(error) = &result
        && let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
        && let Ok(status) = http::StatusCode::from_u16(error.status())
    {
        response.set_status(status);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_travel_as_tagged_json_without_internals() {
        let json = serde_json::to_string(&AppError::TooManyAttempts {
            retry_after_secs: 30,
        })
        .unwrap();
        assert_eq!(
            json,
            r#"{"code":"too_many_attempts","retry_after_secs":30}"#
        );
        assert_eq!(
            serde_json::to_string(&AppError::Internal).unwrap(),
            r#"{"code":"internal"}"#
        );
    }
}
