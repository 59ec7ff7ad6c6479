-- (code, detail) of visitor codes the build matched to no municipality.
SELECT item, detail FROM load_issues WHERE dataset = 'tourism' AND kind = 'unmatched_code' ORDER BY item
