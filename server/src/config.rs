//! Configuration from the environment, read once at start.

use std::env;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/partnerstwa)")]
    MissingDatabaseUrl,
    #[error("{name} must be {expected}, not {value:?}")]
    Invalid {
        name: &'static str,
        expected: &'static str,
        value: String,
    },
    #[error(transparent)]
    Clock(#[from] app::clock::ClockError),
}

/// Where the installation runs; `production` refuses demo data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppEnv {
    Development,
    Production,
}

impl AppEnv {
    fn parse(value: &str) -> Result<Self, ConfigError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "" | "dev" | "development" | "test" => Ok(Self::Development),
            "prod" | "production" => Ok(Self::Production),
            _ => Err(ConfigError::Invalid {
                name: "APP_ENV",
                expected: "development or production",
                value: value.to_owned(),
            }),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub app_env: AppEnv,
    pub db_max_connections: u32,
    /// Days the clock is shifted by (`PARTNERSTWA_CLOCK_SHIFT_DAYS`, tests only).
    pub clock_shift_days: i64,
    /// Behind a reverse proxy: the header it puts the client's address in
    /// (`CLIENT_ADDRESS_HEADER`, e.g. `X-Forwarded-For`); its last entry is used.
    pub client_address_header: Option<http::HeaderName>,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        let database_url = env::var("DATABASE_URL")
            .ok()
            .filter(|url| !url.trim().is_empty())
            .ok_or(ConfigError::MissingDatabaseUrl)?;
        let app_env = AppEnv::parse(&env::var("APP_ENV").unwrap_or_default())?;
        let db_max_connections =
            match env::var("DATABASE_MAX_CONNECTIONS") {
                Ok(value) => value.trim().parse::<u32>().ok().filter(|n| *n > 0).ok_or(
                    ConfigError::Invalid {
                        name: "DATABASE_MAX_CONNECTIONS",
                        expected: "a positive whole number",
                        value,
                    },
                )?,
                Err(_) => 10,
            };
        let clock_shift_days = app::clock::check_shift(app_env == AppEnv::Production)?;
        let client_address_header = match env::var("CLIENT_ADDRESS_HEADER") {
            Ok(value) if !value.trim().is_empty() => Some(
                http::HeaderName::from_bytes(value.trim().as_bytes()).map_err(|_| {
                    ConfigError::Invalid {
                        name: "CLIENT_ADDRESS_HEADER",
                        expected: "a header name such as X-Forwarded-For",
                        value: value.clone(),
                    }
                })?,
            ),
            _ => None,
        };
        Ok(Self {
            database_url,
            app_env,
            db_max_connections,
            clock_shift_days,
            client_address_header,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_env_accepts_the_usual_spellings() {
        assert_eq!(AppEnv::parse("").unwrap(), AppEnv::Development);
        assert_eq!(AppEnv::parse("Production").unwrap(), AppEnv::Production);
        assert_eq!(AppEnv::parse(" prod ").unwrap(), AppEnv::Production);
    }

    #[test]
    fn an_unknown_app_env_is_an_error_naming_the_value() {
        let err = AppEnv::parse("staging").unwrap_err().to_string();
        assert!(err.contains("APP_ENV") && err.contains("staging"), "{err}");
    }
}
