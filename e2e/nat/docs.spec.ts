/** docs/DEPLOYMENT.md shows the NAT lab's set-up exactly as `node e2e/nat/lab.js print` writes it. */
import { readFile } from 'node:fs/promises'
import { expect, test } from '@playwright/test'
import { setupScript } from './lab.js'

test('docs/DEPLOYMENT.md carries the lab\'s exact set-up commands', async () => {
  const doc = await readFile(new URL('../../docs/DEPLOYMENT.md', import.meta.url), 'utf8')
  const block = /<!-- nat-lab:begin -->\n```sh\n([\s\S]*?)```\n<!-- nat-lab:end -->/.exec(doc)
  expect(block, 'docs/DEPLOYMENT.md has the nat-lab block').not.toBeNull()
  expect(block![1], 'regenerate it with `node e2e/nat/lab.js print`').toBe(setupScript())
})
