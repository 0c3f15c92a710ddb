//! What each build's consumers need of it: the platforms it produces (the
//! architectures of the tasks that run its image, in every environment)
//! and the branches whose runs push it (where those tasks' deploys apply).
//!
//! A task definition says `X86_64` or `ARM64`; an image of another
//! architecture fails to start (`exec format error`). Check resolved each
//! environment's `platform` into its deploy's service, so the set is the
//! architectures of every deploy whose containers name the build. One
//! architecture gives a build of that platform on a runner of that
//! architecture; both give a multi-platform image (lower makes one job per
//! platform and one that joins them). A build no service runs is built for
//! `x86_64`, the runner's own.

use crate::model::{Arch, Deploy, Image, Pipeline};

/// Fills every build's `platforms` of one pipeline.
pub(super) fn fill(pipeline: &mut Pipeline) {
    for build in &mut pipeline.builds {
        let consumers: Vec<&Deploy> = pipeline
            .deploys
            .iter()
            .filter(|deploy| {
                deploy.service.containers.iter().any(|c| matches!(&c.image, Image::Build(name) if *name == build.name))
            })
            .collect();
        build.platforms = distinct_or(consumers.iter().map(|deploy| deploy.service.arch), Arch::X86_64);
        // An image is pushed only where a deploy of it applies: a run that
        // only plans has no use for it, and the role that plans may not push.
        build.apply_branches =
            distinct_or(consumers.iter().map(|deploy| deploy.apply_branch.clone()), String::from("main"));
    }
}

/// The values sorted and without repeats; `fallback` alone when there are none.
fn distinct_or<T: Ord>(values: impl Iterator<Item = T>, fallback: T) -> Vec<T> {
    let mut values: Vec<T> = values.collect();
    values.sort_unstable();
    values.dedup();
    if values.is_empty() {
        values.push(fallback);
    }
    values
}

#[cfg(test)]
mod tests {
    use crate::model::Arch;

    fn platforms(text: &str) -> Vec<Vec<Arch>> {
        let file = crate::syntax::parse(text).expect("parses");
        let pipelines = crate::check::check(&file, "p.ecspipe").expect("checks");
        let pipeline = &super::super::plan_one(pipelines).expect("plans")[0];
        pipeline.builds.iter().map(|b| b.platforms.clone()).collect()
    }

    const PIPELINE: &str = r#"
pipeline p {
  region us-east-2
  role secret.R
  build api { repository api }
  build tools { repository tools }
  environments {
    dev { }
    prod { after dev }
  }
  deploy web {
    state s3 bucket "bucket" key "web.tfstate"
    infra ssm "/p/output"
    service web {
      platform arm64
      container api { image build.api  port 8080 }
    }
  }
}
"#;

    #[test]
    fn a_build_produces_what_its_services_run() {
        // `tools` runs nowhere: built for the runner's own architecture.
        assert_eq!(platforms(PIPELINE), [vec![Arch::Arm64], vec![Arch::X86_64]]);
    }

    #[test]
    fn an_environment_on_another_architecture_makes_a_multi_platform_image() {
        let text = PIPELINE.replace("prod { after dev }", "prod { after dev  platform x86_64 }");
        assert_eq!(platforms(&text)[0], [Arch::X86_64, Arch::Arm64]);
    }
}
