/**
 * Locations (/v1/locations): circles and GeoJSON polygons, made through the API; validation rules test geopoint
 * metadata against them with $in_location and $not_in_location. Answers validate against the official schemas.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contains } from '../src/modules/locations/index.js';
import { apiSpecValidator } from './helpers/api-spec.js';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { requestsOf } from './helpers/requests.js';

let t: TestTessera;
let p: TestProject;
let other: TestProject;
const { api, ok } = requestsOf(() => ({ t, p }));
/**
 * Where the spec contradicts itself, said here: PolygonCoordinates is declared as arrays of integer pairs, while its
 * own examples (and GeoJSON) give rings of [longitude, latitude] decimals, one level deeper. The example wins: the
 * schema is read as GeoJSON's (rings of positions of numbers); the rest holds as written.
 */
const official = apiSpecValidator('readOnly-openAPI', (schemas) => {
  schemas.PolygonCoordinates = { type: 'array', items: { type: 'array', items: { type: 'array', items: { type: 'number' } } } };
});

// Voucherify's own examples: a circle around Belleville, NJ, and a rough outline of Manhattan.
const belleville = { type: 'circle', format: 'distance', distance: { center: 'geo:40.79372699823857,-74.15092132694554', radius: '1.54 km' } };
const manhattan = {
  type: 'polygon',
  format: 'geojson',
  geojson: {
    type: 'Polygon',
    coordinates: [[[-74.016167, 40.703186], [-74.008687, 40.750656], [-73.943597, 40.851838], [-73.928559, 40.845285], [-73.936152, 40.8356], [-73.934298, 40.810015], [-73.92711, 40.795145], [-73.978623, 40.710432], [-74.013201, 40.701619], [-74.016167, 40.703186]]],
  },
};
const timesSquare = '40.758, -73.9855';
const brooklyn = '40.6782, -73.9442';
const bellevilleTown = '40.7937, -74.1509';
const nearBelleville = '40.8030, -74.1509'; // about 1.04 km north of the center
const farFromBelleville = '40.8120, -74.1509'; // about 2.04 km north

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
  other = await t.createProject();
});
afterAll(() => t.close());

describe('shapes', () => {
  it('a circle holds the points within its radius (km, m, mi), a polygon those inside its outer ring and outside its holes', () => {
    expect(contains(belleville as never, bellevilleTown)).toBe(true);
    expect(contains(belleville as never, nearBelleville)).toBe(true);
    expect(contains(belleville as never, farFromBelleville)).toBe(false);
    const meters = { ...belleville, distance: { ...belleville.distance, radius: '1000 m' } };
    expect(contains(meters as never, nearBelleville)).toBe(false);
    const miles = { ...belleville, distance: { ...belleville.distance, radius: '1.3 mi' } };
    expect(contains(miles as never, farFromBelleville)).toBe(true);
    expect(contains(manhattan as never, timesSquare)).toBe(true);
    expect(contains(manhattan as never, brooklyn)).toBe(false);
    expect(contains(manhattan as never, 'not a point')).toBe(false);
    expect(contains(manhattan as never, '95, 10')).toBe(false);
    const square = (x: number, y: number, s: number) => [[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]];
    const withHole = { type: 'polygon', geojson: { type: 'MultiPolygon', coordinates: [[square(0, 0, 10), square(4, 4, 2)], [square(20, 20, 1)]] } };
    expect(contains(withHole as never, '1, 1')).toBe(true); // lat 1, lng 1
    expect(contains(withHole as never, '5, 5')).toBe(false); // in the hole
    expect(contains(withHole as never, '20.5, 20.5')).toBe(true); // the second polygon
    expect(contains(withHole as never, { lat: 15, lng: 15 })).toBe(false);
  });
});

describe('/v1/locations', () => {
  let circle: any;
  let polygon: any;

  it('creates circles and polygons, gets and lists them in the official shapes', async () => {
    circle = await ok('POST', '/v1/locations', { name: 'Belleville', shape: { type: 'circle', distance: belleville.distance } });
    expect(circle).toMatchObject({ object: 'location', name: 'Belleville', shape: belleville, updated_at: null });
    expect(circle.id).toMatch(/^loc_/);
    official('LocationsGetResponseBody', circle);
    polygon = await ok('POST', '/v1/locations', { name: 'New York', shape: manhattan });
    expect(await ok('GET', `/v1/locations/${polygon.id}`)).toEqual(polygon);
    official('LocationsGetResponseBody', polygon);

    const list = await ok('GET', '/v1/locations');
    official('LocationsListResponseBody', list);
    expect(list).toMatchObject({ object: 'list', data_ref: 'data', total: 2, has_more: false });
    expect(list.data.map((l: any) => l.name)).toEqual(['New York', 'Belleville']);
    expect((await ok('GET', '/v1/locations?order=created_at&limit=1')).data.map((l: any) => l.name)).toEqual(['Belleville']);
    expect(await ok('GET', '/v1/locations?order=created_at&limit=1')).toMatchObject({ has_more: true, total: 2 });
    expect((await ok('GET', '/v1/locations?filters[name][conditions][$in][0]=New York')).data.map((l: any) => l.id)).toEqual([polygon.id]);
    expect((await ok('GET', `/v1/locations?filters[created_at][conditions][$after]=${circle.created_at}`)).data.map((l: any) => l.id)).not.toContain(circle.id);
    expect((await ok('GET', '/v1/locations?end_date=2020-01-01')).total).toBe(2);
  });

  it('refuses bad shapes, filters and ids in the error shape; other projects see nothing', async () => {
    const bad = async (shape: unknown, text: RegExp) => {
      const res = await api('POST', '/v1/locations', { name: 'Bad', shape });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json()).toMatchObject({ code: 400, key: 'invalid_payload' });
      expect(res.json().details).toMatch(text);
    };
    await bad({ type: 'circle', distance: { center: 'geo:north,west', radius: '1 km' } }, /center must be 'geo:/);
    await bad({ type: 'circle', distance: { center: 'geo:40.1,-74.1', radius: '1 parsec' } }, /radius/);
    await bad({ type: 'circle', distance: { center: 'geo:140.1,-74.1', radius: '1 km' } }, /center/);
    await bad({ type: 'polygon', geojson: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1]]] } }, /end where it starts/);
    await bad({ type: 'polygon', geojson: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [0, 0]]] } }, /at least 4 positions/);
    await bad({ type: 'polygon', geojson: { type: 'Polygon', coordinates: [['a', 'b']] } }, /positions/);
    await bad({ type: 'triangle' }, /shape\.type must be one of: circle, polygon/);
    expect((await api('GET', '/v1/locations?filters[created_at][conditions][$is]=2024-01-01')).json()).toMatchObject({ code: 400, key: 'invalid_query_params' });
    expect((await api('GET', '/v1/locations?filters[color][conditions][$is]=red')).json()).toMatchObject({ code: 400, key: 'invalid_query_params' });
    expect((await api('GET', '/v1/locations/loc_nope')).json()).toMatchObject({ code: 404, key: 'not_found', resource_type: 'location' });
    const theirs = await t.app.inject({ method: 'GET', url: `/v1/locations/${circle.id}`, headers: other.server });
    expect(theirs.statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/v1/locations', headers: other.server })).json().data).toEqual([]);
  });

  it('validation rules test geopoint metadata against them; a new shape applies at once; a named location cannot be deleted', async () => {
    await ok('POST', '/v1/customers', { source_id: 'in-town', metadata: { home: bellevilleTown } });
    await ok('POST', '/v1/customers', { source_id: 'near-town', metadata: { home: nearBelleville } });
    await ok('POST', '/v1/customers', { source_id: 'manhattan', metadata: { home: timesSquare } });
    await ok('POST', '/v1/customers', { source_id: 'brooklyn', metadata: { home: brooklyn } });
    await ok('POST', '/v1/customers', { source_id: 'nowhere', metadata: {} });
    const unknown = await api('POST', '/v1/validation-rules', { name: 'Nowhere', rules: { '1': { name: 'customer.metadata', property: 'home', conditions: { $in_location: ['loc_missing'] } }, logic: '1' } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ key: 'invalid_validation_rules' });
    expect(unknown.json().details).toContain('loc_missing');

    const local = await ok('POST', '/v1/validation-rules', {
      name: 'Locals only',
      rules: { '1': { name: 'customer.metadata', property: 'home', conditions: { $in_location: [circle.id, polygon.id] } }, logic: '1' },
      error: { message: 'Only for customers living in Belleville or Manhattan' },
    });
    const outsiders = await ok('POST', '/v1/validation-rules', { name: 'Outsiders only', rules: { '1': { name: 'customer.metadata', property: 'home', conditions: { $not_in_location: [polygon.id] } }, logic: '1' } });
    await ok('POST', '/v1/vouchers/LOCAL-10', { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 10 }, validation_rules: [local.id] });
    await ok('POST', '/v1/vouchers/AWAY-10', { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 10 }, validation_rules: [outsiders.id] });
    const valid = async (customer: string, code: string) => (await ok('POST', '/v1/validations', { customer: { source_id: customer }, order: { amount: 1000 }, redeemables: [{ object: 'voucher', id: code }] })).valid as boolean;
    expect(await valid('in-town', 'LOCAL-10')).toBe(true);
    expect(await valid('near-town', 'LOCAL-10')).toBe(true);
    expect(await valid('manhattan', 'LOCAL-10')).toBe(true);
    expect(await valid('brooklyn', 'LOCAL-10')).toBe(false);
    expect(await valid('nowhere', 'LOCAL-10')).toBe(false);
    expect(await valid('manhattan', 'AWAY-10')).toBe(false);
    expect(await valid('brooklyn', 'AWAY-10')).toBe(true);
    const refused = await ok('POST', '/v1/validations', { customer: { source_id: 'brooklyn' }, order: { amount: 1000 }, redeemables: [{ object: 'voucher', id: 'LOCAL-10' }] });
    expect(JSON.stringify(refused.inapplicable_redeemables[0].result.error)).toContain('Only for customers living in Belleville or Manhattan');
    expect(refused.inapplicable_redeemables[0].result.error).toMatchObject({ key: 'customer_rules_violated' });
    // A redemption is refused the same way.
    const redeemed = await api('POST', '/v1/redemptions', { customer: { source_id: 'brooklyn' }, order: { amount: 1000 }, redeemables: [{ object: 'voucher', id: 'LOCAL-10' }] });
    expect(redeemed.statusCode).toBe(400);

    // The circle shrinks to 1,000 m: the customer 1 km away is out at once.
    const shrunk = await ok('PUT', `/v1/locations/${circle.id}`, { shape: { type: 'circle', distance: { center: belleville.distance.center, radius: '1000 m' } } });
    expect(shrunk).toMatchObject({ name: 'Belleville', shape: { distance: { radius: '1000 m' } } });
    expect(shrunk.updated_at).not.toBeNull();
    expect(await valid('near-town', 'LOCAL-10')).toBe(false);
    expect(await valid('in-town', 'LOCAL-10')).toBe(true);

    const inUse = await api('DELETE', `/v1/locations/${circle.id}`);
    expect(inUse.statusCode).toBe(409);
    expect(inUse.json()).toMatchObject({ key: 'resource_in_use', resource_id: circle.id });
    expect(inUse.json().details).toContain(local.id);
    await ok('PUT', `/v1/validation-rules/${local.id}`, { rules: { '1': { name: 'customer.metadata', property: 'home', conditions: { $in_location: [polygon.id] } }, logic: '1' } });
    expect((await api('DELETE', `/v1/locations/${circle.id}`)).statusCode).toBe(204);
    expect((await api('GET', `/v1/locations/${circle.id}`)).statusCode).toBe(404);
    expect(await valid('in-town', 'LOCAL-10')).toBe(false);
    // Segment filters do not take location operators: a 400 naming the ones they take.
    const segment = await api('POST', '/v1/segments', { name: 'Manhattanites', type: 'auto-update', filter: { junction: 'and', 'metadata.home': { conditions: { $in_location: [polygon.id] } } } });
    expect(segment.statusCode).toBe(400);
    expect(segment.json().details).toMatch(/\$in_location.*allowed/);
    expect(await valid('manhattan', 'LOCAL-10')).toBe(true);
  });

  it('a rule saved while its location is deleted: either the rule is refused or the delete is, never a rule naming nothing', async () => {
    for (let round = 0; round < 8; round++) {
      const loc = await ok('POST', '/v1/locations', { name: `Race ${round}`, shape: belleville });
      const [rule, del] = await Promise.all([
        api('POST', '/v1/validation-rules', { name: `Race rule ${round}`, rules: { '1': { name: 'customer.metadata', property: 'home', conditions: { $in_location: [loc.id] } }, logic: '1' } }),
        api('DELETE', `/v1/locations/${loc.id}`),
      ]);
      const outcome = `${rule.statusCode}/${del.statusCode}`;
      expect(['200/409', '400/204'], `${outcome}: ${rule.body} ${del.body}`).toContain(outcome);
    }
    // Counted afterwards: no rule of the project names a location that is gone.
    const { rows } = await t.tessera.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM validation_rules r WHERE r.project_id = $1 AND r.name LIKE 'Race rule %'
         AND NOT EXISTS (SELECT 1 FROM locations l WHERE l.project_id = r.project_id AND r.rules::text LIKE '%' || l.id || '%')`,
      [p.id],
    );
    expect(rows[0]!.n).toBe(0);
  });
});
