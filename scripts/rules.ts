// npm run rules: prints Prometheus alerting rules for the clusters in FULCRUM_CONFIG.
import { rulesFile } from '../lib/analysis/rules';
import { ConfigError, loadConfig } from '../lib/config/load';

try {
  const cfg = loadConfig();
  process.stdout.write(rulesFile(cfg.clusters));
} catch (e) {
  console.error(e instanceof ConfigError ? e.message : e);
  process.exit(1);
}
