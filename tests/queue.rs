//! Queue workers: the task role consumes exactly its own queue, and the
//! bootstrap's permissions boundary names that queue, not every queue.

use std::fs;

use crate::support::*;

const PIPELINE: &str = r#"pipeline jobs {
  region us-east-2
  role secret.R plan secret.P
  oidc {
    repository "acme/jobs"
    stack bootstrap
    state local
  }
  infra { state local }
  build app { repository app }
  deploy mailer {
    stack mailer
    state local
    service mailer {
      scale 1..4 backlog 20
      queue outbox { fifo  encryption kms  dead_letter after 3 }
      container app { env QUEUE_URL = queue.outbox.url }
    }
  }
  deploy thumbs {
    stack thumbs
    state local
    service thumbs {
      queue images { visibility 2m  retention 1d }
      container app { env QUEUE_ARN = queue.images.arn }
    }
  }
}
"#;

#[test]
fn the_task_role_consumes_only_its_own_queue() {
    let dir = assert_fs::TempDir::new().expect("temp");
    fs::write(dir.path().join("jobs.ecspipe"), PIPELINE).expect("write");
    let run = ecspipe(dir.path(), &["build", "jobs.ecspipe", "--out", "out"]);
    assert_eq!(run.code, 0, "{}", run.stderr);

    let mailer = normalized(&dir.path().join("out/mailer/iam.tf"));
    let consume = r#"sid = "ConsumeTheQueue" actions = ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"] resources = [aws_sqs_queue.queue.arn]"#;
    assert!(mailer.contains(consume), "{mailer}");
    let decrypt = r#"sid = "DecryptTheQueue" actions = ["kms:Decrypt", "kms:GenerateDataKey"] resources = [aws_kms_key.queue.arn]"#;
    assert!(mailer.contains(decrypt), "{mailer}");
    // No other SQS grant, and no queue but the stack's own.
    assert_eq!(mailer.matches("sqs:").count(), 4, "{mailer}");
    assert_eq!(mailer.matches("aws_sqs_queue.").count(), 1, "{mailer}");
    let thumbs = normalized(&dir.path().join("out/thumbs/iam.tf"));
    assert!(thumbs.contains(r#"resources = [aws_sqs_queue.queue.arn]"#), "{thumbs}");
    assert!(!thumbs.contains("kms:"), "SSE-SQS needs no key grant:\n{thumbs}");

    let queue = normalized(&dir.path().join("out/mailer/queue.tf"));
    for fact in [
        r#"name = "${var.name}-outbox.fifo" fifo_queue = true"#,
        r#"name = "${var.name}-outbox-dlq.fifo" fifo_queue = true"#,
        r#"deadLetterTargetArn = aws_sqs_queue.dead_letter.arn maxReceiveCount = 3"#,
        r#"redrivePermission = "byQueue" sourceQueueArns = [aws_sqs_queue.queue.arn]"#,
        r#"enable_key_rotation = true"#,
        r#"test = "Bool" variable = "aws:SecureTransport" values = ["false"]"#,
    ] {
        assert!(queue.contains(fact), "queue.tf lacks: {fact}\n{queue}");
    }
    let thumbs_queue = normalized(&dir.path().join("out/thumbs/queue.tf"));
    assert!(thumbs_queue.contains(r#"name = "${var.name}-images" visibility_timeout_seconds = 120 message_retention_seconds = 86400 sqs_managed_sse_enabled = true"#), "{thumbs_queue}");
    let scaling = normalized(&dir.path().join("out/mailer/scaling.tf"));
    assert!(scaling.contains(r#"expression = "messages / tasks""#), "{scaling}");
    assert!(!dir.path().join("out/thumbs/scaling.tf").exists(), "thumbs does not scale");

    // The boundary names each queue by its name, and keys by account and region.
    let oidc = normalized(&dir.path().join("out/bootstrap/oidc.tf"));
    let queues = r#"resources = ["arn:${data.aws_partition.current.partition}:sqs:${var.region}:${data.aws_caller_identity.current.account_id}:mailer-outbox.fifo", "arn:${data.aws_partition.current.partition}:sqs:${var.region}:${data.aws_caller_identity.current.account_id}:thumbs-images"]"#;
    assert!(oidc.contains(queues), "{oidc}");
    assert!(!oidc.contains(":sqs:${var.region}:${data.aws_caller_identity.current.account_id}:*"), "{oidc}");
}
