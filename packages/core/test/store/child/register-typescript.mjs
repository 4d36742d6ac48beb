// `node --import ./register-typescript.mjs child.ts`: see typescript-hooks.mjs.
import { register } from 'node:module'

register('./typescript-hooks.mjs', import.meta.url)
