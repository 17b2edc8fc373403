/**
 * The container-image function of examples/lambda-container as a CDK app: SnapStart on published
 * versions, and the alias "live" on the current version (a new version is published whenever the
 * image or the configuration changes).
 *
 *   npm install && npx cdk synth      # offline: no AWS account, no Docker daemon
 *   npx cdk deploy                    # builds and pushes the image, publishes a version
 */
import { fileURLToPath } from 'node:url';
import { Annotations, App, CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import { Alias, DockerImageCode, DockerImageFunction, SnapStartConf } from 'aws-cdk-lib/aws-lambda';

// The Docker build context: the example folder (its .dockerignore leaves this CDK app out).
const context = fileURLToPath(new URL('..', import.meta.url));

const app = new App();
const stack = new Stack(app, 'SnapStartHooksContainer', {
  description: 'A Node.js function with SnapStart hooks, as a container image (snapstart-hooks example)',
});

const fn = new DockerImageFunction(stack, 'Function', {
  code: DockerImageCode.fromImageAsset(context, { file: 'Dockerfile' }),
  memorySize: 512,
  timeout: Duration.seconds(10),
  snapStart: SnapStartConf.ON_PUBLISHED_VERSIONS,
});
// The CDK warns that SnapStart needs published versions: the alias below publishes one.
Annotations.of(fn).acknowledgeWarning('@aws-cdk/aws-lambda:snapStartRequirePublish', 'served through the live alias');

const live = new Alias(stack, 'Live', { aliasName: 'live', version: fn.currentVersion });

new CfnOutput(stack, 'FunctionName', { value: fn.functionName });
new CfnOutput(stack, 'LiveAliasArn', { value: live.functionArn });

app.synth();
