import { AssumeRoleProvider } from 'minio/dist/esm/AssumeRoleProvider.mjs';
import type { TidemarkConfig } from '../../common/config.js';
import { parseS3Uri } from '../../common/artifact.js';

export interface ScopedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

/**
 * Temporary MinIO credentials (STS AssumeRole) that can read and write only below one s3://
 * prefix, e.g. one MLflow run's artifact folder, and that expire with the step. A step gets
 * these, never the root credentials.
 */
export async function scopedCredentials(
  minio: TidemarkConfig['minio'],
  prefixUri: string,
  seconds: number,
): Promise<ScopedCredentials> {
  const { bucket, key } = parseS3Uri(prefixUri.replace(/\/?$/, '/'));
  return assumeRole(
    minio,
    [
      {
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        Resource: [`arn:aws:s3:::${bucket}/${key}*`],
      },
      {
        Effect: 'Allow',
        Action: ['s3:ListBucket'],
        Resource: [`arn:aws:s3:::${bucket}`],
        Condition: { StringLike: { 's3:prefix': [`${key}*`] } },
      },
    ],
    seconds,
  );
}

/** A statement of an S3 session policy. */
export interface PolicyStatement {
  Effect: 'Allow';
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string[]>>;
}

/**
 * Temporary MinIO credentials (STS AssumeRole) limited by a session policy: what they allow is what
 * both the policy and the root user allow. STS allows 15 minutes to 12 hours.
 */
export async function assumeRole(
  minio: TidemarkConfig['minio'],
  statements: PolicyStatement[],
  seconds: number,
): Promise<ScopedCredentials> {
  const provider = new AssumeRoleProvider({
    stsEndpoint: minio.endpoint,
    accessKey: minio.accessKey,
    secretKey: minio.secretKey,
    policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
    durationSeconds: Math.max(900, Math.min(43_200, Math.ceil(seconds))),
  });
  const creds = await provider.getCredentials();
  return {
    accessKeyId: creds.getAccessKey(),
    secretAccessKey: creds.getSecretKey(),
    sessionToken: creds.getSessionToken() ?? '',
  };
}
