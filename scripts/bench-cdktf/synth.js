// The peer of scripts/bench: cdktf synthesising N services like the ones
// ecspipe's examples deploy, one stack each (an S3 backend, the AWS
// provider, the task's two roles and its execution policy, a log group, a
// security group with an egress rule, the task definition, the service,
// and its scaling target and policy), written as Terraform JSON
// (cdk.tf.json). No workflow, no infrastructure stack: less than ecspipe
// writes for the same pipelines.
//
//   node synth.js N OUTDIR      (run from the directory holding node_modules)
'use strict';
const path = require('path');
const here = process.cwd();
const need = (name) => require(path.join(here, 'node_modules', name));
const { App, TerraformStack, S3Backend } = need('cdktf');
const aws = (name) => need(`@cdktf/provider-aws/lib/${name}`);
const { AwsProvider } = aws('provider');
const { IamRole } = aws('iam-role');
const { IamRolePolicy } = aws('iam-role-policy');
const { CloudwatchLogGroup } = aws('cloudwatch-log-group');
const { SecurityGroup } = aws('security-group');
const { VpcSecurityGroupEgressRule } = aws('vpc-security-group-egress-rule');
const { EcsTaskDefinition } = aws('ecs-task-definition');
const { EcsService } = aws('ecs-service');
const { AppautoscalingTarget } = aws('appautoscaling-target');
const { AppautoscalingPolicy } = aws('appautoscaling-policy');

const n = Number(process.argv[2]);
const outdir = process.argv[3];
const app = new App({ outdir, skipValidation: true });
const assume = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
for (let i = 0; i < n; i++) {
  const name = `service-${i}`;
  const stack = new TerraformStack(app, name);
  new S3Backend(stack, { bucket: 'tf-state', key: `${name}/service.tfstate`, region: 'us-east-1' });
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  const execution = new IamRole(stack, 'execution', { name: `${name}-execution`, assumeRolePolicy: assume });
  const task = new IamRole(stack, 'task', { name: `${name}-task`, assumeRolePolicy: assume });
  new IamRolePolicy(stack, 'execution_policy', {
    role: execution.id,
    policy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['ecr:GetAuthorizationToken', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }],
    }),
  });
  const logs = new CloudwatchLogGroup(stack, 'logs', { name: `/ecs/${name}`, retentionInDays: 365 });
  const group = new SecurityGroup(stack, 'tasks', { name: `${name}-tasks`, vpcId: 'vpc-0123456789abcdef0' });
  new VpcSecurityGroupEgressRule(stack, 'egress', {
    securityGroupId: group.id, ipProtocol: 'tcp', fromPort: 5432, toPort: 5432, cidrIpv4: '10.20.0.0/16',
  });
  const definition = new EcsTaskDefinition(stack, 'task_definition', {
    family: name, cpu: '512', memory: '1024', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'],
    executionRoleArn: execution.arn, taskRoleArn: task.arn,
    runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' },
    containerDefinitions: JSON.stringify([{
      name: 'web', image: '${var.image}', essential: true, readonlyRootFilesystem: true,
      portMappings: [{ containerPort: 8080, protocol: 'tcp' }],
      environment: [{ name: 'LOG_LEVEL', value: 'info' }],
      logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': logs.name, 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'web' } },
    }]),
  });
  const service = new EcsService(stack, 'service', {
    name, cluster: 'acme', taskDefinition: definition.arn, desiredCount: 2, launchType: 'FARGATE',
    networkConfiguration: { subnets: ['subnet-0a1b2c3d4e5f60718'], securityGroups: [group.id], assignPublicIp: false },
    deploymentCircuitBreaker: { enable: true, rollback: true },
  });
  const target = new AppautoscalingTarget(stack, 'scaling', {
    serviceNamespace: 'ecs', resourceId: `service/acme/${name}`, scalableDimension: 'ecs:service:DesiredCount',
    minCapacity: 2, maxCapacity: 8, dependsOn: [service],
  });
  new AppautoscalingPolicy(stack, 'cpu', {
    name: `${name}-cpu`, policyType: 'TargetTrackingScaling', serviceNamespace: 'ecs',
    resourceId: target.resourceId, scalableDimension: target.scalableDimension,
    targetTrackingScalingPolicyConfiguration: {
      targetValue: 70, predefinedMetricSpecification: { predefinedMetricType: 'ECSServiceAverageCPUUtilization' },
    },
  });
}
app.synth();
