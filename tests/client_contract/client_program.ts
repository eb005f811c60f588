// What a newcomer writes with openapi-fetch over the types openapi-typescript generates.
//
// tests/test_client_contract.py writes the generated types beside a copy of this file as
// ./spacefacts-api.ts and compiles it with `tsc --strict --noEmit` (tsconfig.json here): the
// gate is that it compiles. There is no cast (`as`), no `any` and no non-null `!` anywhere.
// Each step starts with a `// step: NAME` line, so a compile error is reported by its step.
import createClient from "openapi-fetch";
import type { components, paths } from "./spacefacts-api";

type Problem = components["schemas"]["Problem"];
type SignatoryStatus = components["schemas"]["SignatoryStatus"];

// Problem.type must be a union of the /problems/{slug} URIs, not any string.
type IsEnum<T> = string extends T ? false : true;
const problemTypeIsEnum: IsEnum<Problem["type"]> = true;

function fail(what: string, problem: Problem): Error {
  return new Error(`${what}: ${problem.status} ${problem.type} ${problem.title}: ${problem.detail}`);
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
}

export async function main(baseUrl: string): Promise<void> {
  const client = createClient<paths>({ baseUrl });
  check(problemTypeIsEnum, "Problem.type is an enum");

  // step: list programs
  {
    const { data, error } = await client.GET("/v1/programs");
    if (error) throw fail("list programs", error);
    const ids: string[] = data.items.map((program) => program.id);
    check(ids.join() === "artemis,ilrs" && data.total === 2, `programs ${ids.join()}`);
  }

  // step: filter signatories by two statuses
  {
    const status: SignatoryStatus[] = ["signed", "intends_to_sign"];
    const { data, error } = await client.GET("/v1/signatories", {
      params: { query: { status } },
    });
    if (error) throw fail("filter signatories", error);
    const got = data.items.map((s) => `${s.id}:${s.status}`).join();
    check(got === "artemis-accords-brazil:intends_to_sign,ilrs-mou-roscosmos:signed", got);
  }

  // step: follow next_cursor through citations
  {
    const ids: string[] = [];
    let total = -1;
    let cursor: string | undefined;
    do {
      const { data, error } = await client.GET("/v1/citations", {
        params: { query: { limit: 50, cursor } },
      });
      if (error) throw fail("list citations", error);
      ids.push(...data.items.map((citation) => citation.id));
      total = data.total;
      cursor = data.next_cursor ?? undefined;
    } while (cursor !== undefined);
    check(total === ids.length && new Set(ids).size === ids.length, `${total} vs ${ids.length}`);
  }

  // step: read a missing program: a typed 404 problem
  {
    const { data, error, response } = await client.GET("/v1/programs/{program_id}", {
      params: { path: { program_id: "nope" } },
    });
    check(data === undefined && response.status === 404, "nope is not found");
    if (error === undefined) throw new Error("a 404 without a problem");
    const type: Problem["type"] = error.type;
    const title: string = error.title;
    check(type === "/problems/not-found" && error.status === 404, `${type} ${title}`);
  }

  // step: list programs with limit=0: a typed 400 problem
  {
    const { data, error, response } = await client.GET("/v1/programs", {
      params: { query: { limit: 0 } },
    });
    check(data === undefined && response.status === 400, "limit=0 is invalid");
    if (error === undefined) throw new Error("a 400 without a problem");
    const type: Problem["type"] = error.type;
    const locations = (error.errors ?? []).map((e) => e.location).join();
    check(type === "/problems/invalid-parameter" && locations === "query.limit", locations);
  }
}
