/**
 * The admin console at /console: the static files `npm install` builds into packages/console/dist,
 * with every other /console/* path answered by index.html (the app routes on the client). The files
 * are public; every API call the console makes carries an admin key.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { problemOf, sendProblem } from './problem.js';

/** packages/console/dist, found from this file so that the working directory does not matter. */
export const CONSOLE_DIST_DIR = new URL('../../../console/dist/', import.meta.url).pathname;

export interface ConsoleStaticOptions {
  /** The built console. @default CONSOLE_DIST_DIR */
  readonly distDir?: string;
}

const NOT_BUILT =
  'the console is not built: run `npm run build -w @mnogate/console` (npm install runs it) and restart the gateway';

export async function consoleStatic(app: FastifyInstance, options: ConsoleStaticOptions = {}): Promise<void> {
  const dist = options.distDir ?? CONSOLE_DIST_DIR;
  const hide = { schema: { hide: true } };

  if (!existsSync(join(dist, 'index.html'))) {
    const notBuilt = (_: unknown, reply: FastifyReply) =>
      sendProblem(reply, problemOf('MNOGATE_ERR_REQUEST_NOT_FOUND', NOT_BUILT, { instance: '/console' }));
    app.get('/console', hide, notBuilt);
    app.get('/console/*', hide, notBuilt);
    return;
  }

  // index.html is small and never cached by the browser, so that a rebuild shows at once
  let index: Buffer | undefined;
  const sendIndex = async (reply: FastifyReply) => {
    index ??= await readFile(join(dist, 'index.html'));
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(index);
  };

  await app.register(
    async (scope) => {
      await scope.register(fastifyStatic, {
        root: dist,
        prefix: '/',
        wildcard: true,
        index: false,
        decorateReply: false,
        // hashed file names under assets/ never change
        setHeaders: (res, path) => {
          if (path.includes('/assets/'))
            res.setHeader('cache-control', 'public, max-age=31536000, immutable');
        },
      });
      // only /console/ here: /console itself redirects to it (above)
      scope.get('/', { ...hide, prefixTrailingSlash: 'slash' }, (_request, reply) => sendIndex(reply));
      scope.setNotFoundHandler((request, reply) => {
        const path = request.url.split('?')[0] ?? '';
        // a missing asset is a 404; any other path is a page of the app
        if (request.method !== 'GET' || /\.[a-z0-9]+$/i.test(path)) {
          return sendProblem(reply, {
            ...problemOf('MNOGATE_ERR_REQUEST_NOT_FOUND', `no file ${path}`),
            instance: path,
          });
        }
        return sendIndex(reply);
      });
    },
    { prefix: '/console' },
  );
}
