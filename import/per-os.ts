// An argument value that differs per machine, one value per `os` grain: written as byPlatform({ os: {...} }).

export class PerOs {
  constructor(readonly values: ReadonlyMap<string, unknown>) {}
}
