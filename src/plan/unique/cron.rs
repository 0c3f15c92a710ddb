//! Scheduled jobs across deploys: each job's scheduler role is an IAM role
//! of the account, and its schedule a name in the region's default group.
//! A service `a` with a job `b-c` and a service `a-b` with a job `c` would
//! share both.

use crate::model::Deploy;

use super::{names, Claims, Kind, Owner, Source, IAM_ROLE};

const SCHEDULE: Kind = Kind {
    what: "EventBridge Scheduler schedule",
    key: str::to_owned,
    same_because: "",
    case_because: None,
    help: "schedules share one group per region: rename the job or its service",
};

/// Claims each job's scheduler role in the account and its schedule in
/// `regional` (the pipeline's region).
pub(super) fn claim(claims: &mut Claims, sources: &[Source<'_>], deploy: &Deploy, regional: &str, owner: &Owner) {
    let service = &deploy.service.name;
    for job in &deploy.service.cron {
        claims.claim(sources, IAM_ROLE, "", &names::cron_role(service, &job.name), owner);
        claims.claim(sources, SCHEDULE, regional, &names::cron_schedule(service, &job.name), owner);
    }
}
