//! Server functions for the lists and detail pages. Each one starts from the
//! signed-in `Actor` and asks `Actor::may` (or filters by its scope) before
//! touching a row.

use super::{LibraryRow, LibraryView, Page, PersonRow, ProgramRow, ProgramView};
use crate::errors::AppError;
use leptos::{prelude::*, server_fn::codec::Json};
use uuid::Uuid;

/// `POST /api/libraries {"search", "page"}`: the libraries the person may see.
#[server(prefix = "/api", endpoint = "libraries", input = Json, output = Json)]
pub async fn list_libraries(search: String, page: u32) -> Result<Page<LibraryRow>, AppError> {
    use crate::server_context as ctx;
    ctx::as_actor(|actor, pool| async move { ssr::libraries(&pool, &actor, &search, page).await })
        .await
}

/// `POST /api/library {"id"}`: one library with branches, programs and people.
#[server(prefix = "/api", endpoint = "library", input = Json, output = Json)]
pub async fn library_details(id: Uuid) -> Result<LibraryView, AppError> {
    use crate::server_context as ctx;
    ctx::as_actor(|actor, pool| async move { ssr::library(&pool, &actor, id).await }).await
}

/// `POST /api/programs {"search", "page"}`: the programs the person works in.
#[server(prefix = "/api", endpoint = "programs", input = Json, output = Json)]
pub async fn list_programs(search: String, page: u32) -> Result<Page<ProgramRow>, AppError> {
    use crate::server_context as ctx;
    ctx::as_actor(|actor, pool| async move { ssr::programs(&pool, &actor, &search, page).await })
        .await
}

/// `POST /api/program {"id"}`: one program with its clause and visible libraries.
#[server(prefix = "/api", endpoint = "program", input = Json, output = Json)]
pub async fn program_details(id: Uuid) -> Result<ProgramView, AppError> {
    use crate::server_context as ctx;
    ctx::as_actor(|actor, pool| async move { ssr::program(&pool, &actor, id).await }).await
}

/// `POST /api/people {"search", "page"}`: accounts a coordinator looks after.
#[server(prefix = "/api", endpoint = "people", input = Json, output = Json)]
pub async fn list_people(search: String, page: u32) -> Result<Page<PersonRow>, AppError> {
    use crate::server_context as ctx;
    ctx::as_actor(|actor, pool| async move { ssr::people(&pool, &actor, &search, page).await })
        .await
}

#[cfg(feature = "ssr")]
pub mod ssr;
