import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

/** One certificate the cluster needs: who it names and what it may be used for. */
interface CertSpec {
  file: string;
  commonName: string;
  organization?: string;
  usage: 'client' | 'server';
  /** Subject alternative names of a serving certificate: `DNS:…` and `IP:…`. */
  altNames?: string[];
}

/** The files of the cluster's certificate authority, its certificates and the service-account key pair. */
export interface ClusterPki {
  dir: string;
  caCert: string;
  caKey: string;
  cert(name: string): { cert: string; key: string };
  serviceAccountKey: string;
  serviceAccountPub: string;
}

const CURVE = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const DAYS = ['-days', '3650'];

function opensslConfig(subject: Record<string, string | undefined>, extensions: string[]): string {
  const dn = Object.entries(subject)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k} = ${v}`);
  return [
    '[req]',
    'distinguished_name = dn',
    'prompt = no',
    'x509_extensions = ext',
    '[dn]',
    ...dn,
    '[ext]',
    ...extensions,
    '',
  ].join('\n');
}

/**
 * The certificates of the embedded cluster, made once with `openssl` (ECDSA P-256, ten years) and
 * kept in the state folder: a CA, the API server's and the kubelet's serving certificates, a
 * client certificate for each component and the administrator, and the service-account key pair.
 * Existing files are kept, so a restart keeps every kubeconfig valid.
 */
export async function ensurePki(dir: string, nodeName: string, certs = clusterCerts(nodeName)): Promise<ClusterPki> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pki: ClusterPki = {
    dir,
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    cert: (name) => ({ cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) }),
    serviceAccountKey: join(dir, 'sa.key'),
    serviceAccountPub: join(dir, 'sa.pub'),
  };
  const openssl = (args: string[], config?: string) => {
    const cfg = join(dir, 'openssl.cnf');
    if (config !== undefined) writeFileSync(cfg, config);
    return execa('openssl', config !== undefined ? [...args, '-config', cfg] : args, { cwd: dir, stdin: 'ignore' });
  };
  if (!existsSync(pki.caCert) || !existsSync(pki.caKey)) {
    const config = opensslConfig({ CN: 'tidemark-kubernetes-ca' }, [
      'basicConstraints = critical,CA:TRUE',
      'keyUsage = critical,keyCertSign,cRLSign,digitalSignature',
      'subjectKeyIdentifier = hash',
    ]);
    await openssl(['req', '-x509', '-new', ...CURVE, ...DAYS, '-keyout', pki.caKey, '-out', pki.caCert], config);
  }
  for (const spec of certs) {
    const { cert, key } = pki.cert(spec.file);
    if (existsSync(cert) && existsSync(key)) continue;
    const extensions = [
      'basicConstraints = critical,CA:FALSE',
      'keyUsage = critical,digitalSignature,keyEncipherment',
      `extendedKeyUsage = ${spec.usage === 'client' ? 'clientAuth' : 'serverAuth'}`,
      'authorityKeyIdentifier = keyid',
      ...(spec.altNames ? [`subjectAltName = ${spec.altNames.join(',')}`] : []),
    ];
    await openssl(
      ['req', '-x509', '-new', '-CA', pki.caCert, '-CAkey', pki.caKey, ...CURVE, ...DAYS, '-keyout', key, '-out', cert],
      opensslConfig({ O: spec.organization, CN: spec.commonName }, extensions),
    );
  }
  if (!existsSync(pki.serviceAccountKey) || !existsSync(pki.serviceAccountPub)) {
    await openssl([
      'genpkey',
      '-algorithm',
      'EC',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-out',
      pki.serviceAccountKey,
    ]);
    await openssl(['pkey', '-in', pki.serviceAccountKey, '-pubout', '-out', pki.serviceAccountPub]);
  }
  return pki;
}

/** Which certificates the cluster's components present. */
export function clusterCerts(nodeName: string): CertSpec[] {
  return [
    {
      file: 'apiserver',
      commonName: 'kube-apiserver',
      usage: 'server',
      altNames: [
        'DNS:localhost',
        'DNS:kubernetes',
        'DNS:kubernetes.default',
        'DNS:kubernetes.default.svc',
        'IP:127.0.0.1',
      ],
    },
    {
      file: 'apiserver-kubelet-client',
      commonName: 'kube-apiserver-kubelet-client',
      organization: 'system:masters',
      usage: 'client',
    },
    { file: 'admin', commonName: 'tidemark-admin', organization: 'system:masters', usage: 'client' },
    { file: 'controller-manager', commonName: 'system:kube-controller-manager', usage: 'client' },
    { file: 'scheduler', commonName: 'system:kube-scheduler', usage: 'client' },
    { file: 'kubelet-client', commonName: `system:node:${nodeName}`, organization: 'system:nodes', usage: 'client' },
    {
      file: 'kubelet',
      commonName: nodeName,
      usage: 'server',
      altNames: [`DNS:${nodeName}`, 'DNS:localhost', 'IP:127.0.0.1'],
    },
  ];
}
