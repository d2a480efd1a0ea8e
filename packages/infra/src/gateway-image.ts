import { fileURLToPath } from 'node:url';
import { DockerImageAsset, Platform } from 'aws-cdk-lib/aws-ecr-assets';
import { Construct } from 'constructs';

/** The repository root, where the gateway's `Dockerfile` and `.dockerignore` are. */
export const REPOSITORY_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface GatewayImageProps {
  /**
   * The Docker build context, holding a `Dockerfile`.
   * @default REPOSITORY_ROOT
   */
  readonly directory?: string;
  /**
   * @default Platform.LINUX_AMD64
   */
  readonly platform?: Platform;
}

/**
 * The gateway's container image as a CDK asset. Synthesis only fingerprints and stages the build
 * context (filtered by `.dockerignore`); Docker builds and pushes the image at deploy time
 * (`cdk deploy` / `cdk-assets`), so `mnogate synth` needs no Docker.
 */
export class GatewayImage extends Construct {
  readonly asset: DockerImageAsset;

  constructor(scope: Construct, id: string, props: GatewayImageProps = {}) {
    super(scope, id);
    this.asset = new DockerImageAsset(this, 'Asset', {
      directory: props.directory ?? REPOSITORY_ROOT,
      platform: props.platform ?? Platform.LINUX_AMD64,
    });
  }
}
