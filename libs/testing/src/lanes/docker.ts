// Whether a Docker engine answers here, so that testcontainers can be used instead of the local lane.
import { request } from 'node:http';
import { existsSync } from 'node:fs';

let cached: Promise<boolean> | undefined;

export function dockerAnswers(): Promise<boolean> {
  if (process.env.KUBELABS_LANE === 'local') return Promise.resolve(false);
  cached ??= new Promise((resolve) => {
    const socketPath = (process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock').replace(/^unix:\/\//, '');
    if (!existsSync(socketPath)) return resolve(false);
    const req = request({ socketPath, path: '/_ping', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
  return cached;
}
