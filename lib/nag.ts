import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

/**
 * Runs the cdk-nag AWS Solutions pack as a CDK validation plugin (cdk-nag v3), so every
 * `cdk synth` reports findings and fails on any that is not acknowledged. Acknowledgements live
 * next to the resource they concern (`Validations.of(resource).acknowledge`), each with its reason.
 */
export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
}
