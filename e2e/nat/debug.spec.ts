import { iceFlags, test } from './fixtures.js'
test('debug', async ({ labRelay, homeTab, turn }) => {
  const relay = await labRelay(iceFlags(turn, 'stun'))
  const a = await homeTab('a', relay)
  const b = await homeTab('b', relay)
  const c = await homeTab('c', relay)
  await a.selfId(); await b.selfId(); await c.selfId()
  for (let i = 0; i < 8; i++) {
    for (const [n, t] of [['A', a], ['C', c]] as const) {
      if (i < 7) continue; console.log(n, i, JSON.stringify(await t.page.locator('[data-testid=peer-row]').evaluateAll(rs => rs.map(r => [...r.attributes].map(x => `${x.name}=${x.value}`).join(' ') + ' :: ' + r.textContent))))
    }
    await new Promise(r => setTimeout(r, 2500))
  }
  console.log(JSON.stringify(await c.page.locator('#event-log li').allTextContents(), null, 1).slice(0, 6000))
  console.log(await c.page.locator('#status').textContent())
})
