import { haproxyBinary } from '../../lib/serving/proxy/proxy-manager.js';
import { aptInstall, type SetupStage } from './stage.js';

/** Debian's HAProxy, the proxy in front of every served model (docs/serving.md). */
export function haproxyStage(): SetupStage {
  const found = () => {
    try {
      return haproxyBinary();
    } catch {
      return undefined;
    }
  };
  return {
    name: 'haproxy',
    fix: "Needs root and Debian's package mirror (apt-get install haproxy); see the log.",
    async done() {
      return found();
    },
    async run(ctx) {
      await aptInstall(ctx, ['haproxy']);
    },
  };
}
