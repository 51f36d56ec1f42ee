//! Who may do what. Every server function asks `Actor::may` before it reads
//! or writes; the rules live here and nowhere else.
//!
//! | role | sees | changes |
//! |---|---|---|
//! | admin | everything | everything |
//! | coordinator | libraries in their programs | those libraries, their programs, their people |
//! | tutor | assigned libraries | consultation hours of those libraries |
//! | librarian | their library and its branches | the same |

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use uuid::Uuid;

/// A signed-in person as far as permissions go, loaded once per request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user_id: Uuid,
    pub is_admin: bool,
    /// Libraries the person works in, with their branches.
    pub librarian_of: BTreeSet<Uuid>,
    /// Libraries assigned to the person as a tutor, in any program.
    pub tutor_of: BTreeSet<Uuid>,
    /// Programs the person coordinates.
    pub coordinator_of: BTreeSet<Uuid>,
    /// Libraries taking part in the programs the person coordinates.
    pub coordinated_libraries: BTreeSet<Uuid>,
}

/// Everything another account does, to decide whether the actor may manage
/// (deactivate, reactivate) it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountRoles {
    pub user_id: Uuid,
    pub is_admin: bool,
    /// Libraries the account works in or tutors.
    pub libraries: BTreeSet<Uuid>,
    /// Programs the account tutors in or coordinates.
    pub programs: BTreeSet<Uuid>,
    pub coordinates: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read the thing and what belongs to it.
    View,
    /// Create, change or delete the thing's working records (meetings, partners, plans).
    Edit,
    /// Log consultation (support) hours.
    LogHours,
    /// Change settings, members and assignments.
    Manage,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Library(Uuid),
    Program(Uuid),
    /// The list of accounts, invitations and deactivation.
    People,
    /// Creating libraries and programs.
    Catalogue,
}

/// Which libraries a list query may return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Only(Vec<Uuid>),
}

impl Actor {
    pub fn is_coordinator(&self) -> bool {
        !self.coordinator_of.is_empty()
    }

    pub fn may(&self, action: Action, target: Target) -> bool {
        if self.is_admin {
            return true;
        }
        match target {
            Target::Library(id) => {
                let librarian = self.librarian_of.contains(&id);
                let tutor = self.tutor_of.contains(&id);
                let coordinator = self.coordinated_libraries.contains(&id);
                match action {
                    Action::View => librarian || tutor || coordinator,
                    // A library's paperwork is its own (it is the controller of
                    // its attendees' data); a coordinator of hundreds of
                    // libraries reads it, and a stolen coordinator account
                    // cannot rewrite it.
                    Action::Edit => librarian,
                    Action::LogHours => librarian || tutor || coordinator,
                    Action::Manage => coordinator,
                }
            }
            Target::Program(id) => match action {
                // Program names and budgets are not sensitive: every signed-in person may read them.
                Action::View => true,
                Action::Edit | Action::LogHours | Action::Manage => {
                    self.coordinator_of.contains(&id)
                }
            },
            Target::People | Target::Catalogue => match action {
                Action::View | Action::Manage | Action::Edit => self.is_coordinator(),
                Action::LogHours => false,
            },
        }
    }

    /// Whether the actor may deactivate or reactivate `account`: admins may
    /// (except their own account); a coordinator only when every library and
    /// program of the account is one she coordinates, so she cannot lock a
    /// person out of work in someone else's program. Admins are left to admins.
    pub fn may_manage_account(&self, account: &AccountRoles) -> bool {
        if account.user_id == self.user_id {
            return false;
        }
        if self.is_admin {
            return true;
        }
        let has_roles = !account.libraries.is_empty() || !account.programs.is_empty();
        self.is_coordinator()
            && !account.is_admin
            && has_roles
            && account.libraries.is_subset(&self.coordinated_libraries)
            && account.programs.is_subset(&self.coordinator_of)
    }

    /// The libraries a device of this person holds: her own (with their
    /// branches) and her tutored ones, and of the libraries she may see,
    /// those she chose to take offline (`offline`). A coordinator or admin
    /// holds none by default: her screens are served by the server.
    pub fn device_scope(&self, offline: &[Uuid]) -> BTreeSet<Uuid> {
        let visible = |id: &Uuid| self.may(Action::View, Target::Library(*id));
        self.librarian_of
            .iter()
            .chain(&self.tutor_of)
            .chain(offline.iter().filter(|id| visible(id)))
            .copied()
            .collect()
    }

    /// Whether a device of this person gets a library's contact data and
    /// other details only its editors need.
    pub fn gets_editor_fields(&self, library: Uuid) -> bool {
        self.may(Action::Edit, Target::Library(library))
    }

    /// The libraries this person may see, for filtering lists in SQL.
    pub fn visible_libraries(&self) -> Scope {
        if self.is_admin {
            return Scope::All;
        }
        let ids = self
            .librarian_of
            .iter()
            .chain(&self.tutor_of)
            .chain(&self.coordinated_libraries)
            .copied()
            .collect::<BTreeSet<_>>();
        Scope::Only(ids.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn librarian_of(library: Uuid) -> Actor {
        Actor {
            user_id: id(100),
            librarian_of: [library].into(),
            ..Actor::default()
        }
    }

    #[test]
    fn a_librarian_sees_and_edits_her_library_and_nothing_else() {
        let actor = librarian_of(id(1));
        assert!(actor.may(Action::View, Target::Library(id(1))));
        assert!(actor.may(Action::Edit, Target::Library(id(1))));
        assert!(!actor.may(Action::Manage, Target::Library(id(1))));
        assert!(!actor.may(Action::View, Target::Library(id(2))));
        assert!(!actor.may(Action::Edit, Target::Library(id(2))));
        assert!(!actor.may(Action::View, Target::People));
        assert_eq!(actor.visible_libraries(), Scope::Only(vec![id(1)]));
    }

    #[test]
    fn a_tutor_reads_and_logs_hours_but_does_not_edit() {
        let actor = Actor {
            tutor_of: [id(1), id(2)].into(),
            ..Actor::default()
        };
        assert!(actor.may(Action::View, Target::Library(id(2))));
        assert!(actor.may(Action::LogHours, Target::Library(id(2))));
        assert!(!actor.may(Action::Edit, Target::Library(id(2))));
        assert!(!actor.may(Action::View, Target::Library(id(3))));
        assert!(!actor.may(Action::LogHours, Target::Library(id(3))));
    }

    #[test]
    fn a_coordinator_manages_the_libraries_and_programs_she_coordinates() {
        let actor = Actor {
            coordinator_of: [id(50)].into(),
            coordinated_libraries: [id(1)].into(),
            ..Actor::default()
        };
        assert!(actor.may(Action::Manage, Target::Library(id(1))));
        assert!(actor.may(Action::Manage, Target::Program(id(50))));
        assert!(!actor.may(Action::Manage, Target::Program(id(51))));
        assert!(!actor.may(Action::View, Target::Library(id(2))));
        assert!(actor.may(Action::Manage, Target::People));
        // She reads a library's paperwork and logs its tutors' hours, but
        // the meetings, partners, plans and lists are the library's to change.
        assert!(actor.may(Action::View, Target::Library(id(1))));
        assert!(actor.may(Action::LogHours, Target::Library(id(1))));
        assert!(!actor.may(Action::Edit, Target::Library(id(1))));
    }

    #[test]
    fn a_device_holds_what_its_person_works_with_and_what_she_chose_of_what_she_sees() {
        let librarian = Actor {
            librarian_of: [id(1), id(2)].into(),
            ..Actor::default()
        };
        assert_eq!(librarian.device_scope(&[id(9)]), [id(1), id(2)].into());
        let tutor = Actor {
            tutor_of: [id(3)].into(),
            ..Actor::default()
        };
        assert_eq!(tutor.device_scope(&[]), [id(3)].into());
        assert!(!tutor.gets_editor_fields(id(3)));
        let coordinator = Actor {
            coordinator_of: [id(50)].into(),
            coordinated_libraries: [id(4), id(5)].into(),
            ..Actor::default()
        };
        assert!(coordinator.device_scope(&[]).is_empty());
        // A library outside her programs stays out, whatever the device asks.
        assert_eq!(coordinator.device_scope(&[id(5), id(6)]), [id(5)].into());
        assert!(!coordinator.gets_editor_fields(id(5)));
        assert!(librarian.gets_editor_fields(id(2)));
    }

    #[test]
    fn a_coordinator_manages_only_accounts_wholly_in_her_programs() {
        let actor = Actor {
            user_id: id(200),
            coordinator_of: [id(50)].into(),
            coordinated_libraries: [id(1), id(2)].into(),
            ..Actor::default()
        };
        let librarian = AccountRoles {
            user_id: id(300),
            libraries: [id(1)].into(),
            ..AccountRoles::default()
        };
        assert!(actor.may_manage_account(&librarian));
        let also_elsewhere = AccountRoles {
            libraries: [id(1), id(3)].into(),
            ..librarian.clone()
        };
        assert!(!actor.may_manage_account(&also_elsewhere));
        let tutor_in_other_program = AccountRoles {
            programs: [id(51)].into(),
            ..librarian.clone()
        };
        assert!(!actor.may_manage_account(&tutor_in_other_program));
        let admin = AccountRoles {
            is_admin: true,
            ..librarian.clone()
        };
        assert!(!actor.may_manage_account(&admin));
        let herself = AccountRoles {
            user_id: id(200),
            ..librarian.clone()
        };
        assert!(!actor.may_manage_account(&herself));
        assert!(!librarian_of(id(1)).may_manage_account(&librarian));
    }

    #[test]
    fn an_admin_may_do_everything() {
        let actor = Actor {
            is_admin: true,
            ..Actor::default()
        };
        assert!(actor.may(Action::Manage, Target::Library(id(9))));
        assert_eq!(actor.visible_libraries(), Scope::All);
    }

    #[test]
    fn nobody_in_particular_may_do_nothing_with_libraries() {
        let actor = Actor::default();
        assert!(!actor.may(Action::View, Target::Library(id(1))));
        assert_eq!(actor.visible_libraries(), Scope::Only(vec![]));
    }
}
