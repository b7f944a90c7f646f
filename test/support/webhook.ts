import { createServer } from 'node:http'

/** A webhook on 127.0.0.1 that keeps every JSON body POSTed to it, in order. */
export interface Webhook<T> {
  readonly url: string
  readonly received: T[]
  close(): void
}

/** Starts a webhook receiver on a free port of 127.0.0.1 (answers 204 to each request). */
export async function startWebhook<T>(): Promise<Webhook<T>> {
  const received: T[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (c) => {
      body += c
    })
    req.on('end', () => {
      received.push(JSON.parse(body) as T)
      res.writeHead(204).end()
    })
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return { url: `http://127.0.0.1:${port}/hook`, received, close: () => server.close() }
}
