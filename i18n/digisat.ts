<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1">
<context>
    <name>digisat</name>
    <message>
        <location filename="../digisat_plugin/plugin.py" line="54"/>
        <source>digisat super-resolution</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/plugin.py" line="56"/>
        <source>digisat: super-resolve the Sentinel-2 20 m and 60 m bands to 10 m (show the dock)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/plugin.py" line="68"/>
        <source>digisat help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/plugin.py" line="70"/>
        <source>Open the digisat user guide shipped with the plugin (no network needed)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/plugin.py" line="72"/>
        <source>digisat documentation online</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/plugin.py" line="74"/>
        <source>Open the digisat README on its home page in the web browser</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/plugin.py" line="76"/>
        <location filename="../digisat_plugin/gui/about.py" line="94"/>
        <location filename="../digisat_plugin/gui/dock.py" line="188"/>
        <source>About digisat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/toolbelt/log.py" line="66"/>
        <source>Details</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/about.py" line="65"/>
        <source>{blocks} residual blocks x {filters} filters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/about.py" line="68"/>
        <source>{n} parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/about.py" line="70"/>
        <source>trained {date}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/about.py" line="72"/>
        <source>RMSE {ratio:.2f} x bicubic on held-out data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/about.py" line="82"/>
        <source>Sentinel-2 super-resolution: the 20 m and 60 m bands sharpened to 10 m.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/about.py" line="83"/>
        <source>Networks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/about.py" line="83"/>
        <source>none found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/about.py" line="84"/>
        <source>Licence</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/about.py" line="85"/>
        <source>Data credits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/about.py" line="86"/>
        <source>contains modified Copernicus Sentinel data; method after Lanaras et al. (2018), DSen2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/about.py" line="87"/>
        <source>Documentation (README)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/area_panel.py" line="69"/>
        <location filename="../digisat_plugin/gui/area_panel.py" line="72"/>
        <source>coordinates: expected four numbers xmin, ymin, xmax, ymax, got {text!r}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/area_panel.py" line="76"/>
        <source>coordinates: xmin must be below xmax and ymin below ymax</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/area_panel.py" line="87"/>
        <source>Draw rectangle</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/area_panel.py" line="88"/>
        <source>Draw polygon</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/area_panel.py" line="89"/>
        <source>Canvas extent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/area_panel.py" line="92"/>
        <source>Selected features only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/area_panel.py" line="93"/>
        <source>Layer extent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/area_panel.py" line="94"/>
        <source>Clear</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/area_panel.py" line="96"/>
        <source>Polygon: no data outside it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/area_panel.py" line="97"/>
        <source>Polygon's bounding box</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/area_panel.py" line="98"/>
        <location filename="../digisat_plugin/gui/area_panel.py" line="182"/>
        <source>No area: the whole product is processed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/area_panel.py" line="107"/>
        <source>xmin, ymin, xmax, ymax</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/area_panel.py" line="110"/>
        <source>Use coordinates</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/area_panel.py" line="115"/>
        <source>Polygon: click the vertices, right click or double click to close.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/area_panel.py" line="132"/>
        <source>Output</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/area_panel.py" line="159"/>
        <source>coordinates: choose the CRS they are in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/area_panel.py" line="183"/>
        <source>Output: the whole product at 10 m</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/area_panel.py" line="186"/>
        <source>Area: {km2} km² ({crs})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/area_panel.py" line="187"/>
        <source>custom CRS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/area_panel.py" line="190"/>
        <source>Output: about {w} x {h} px at 10 m ({km2} km², the box aligned to the 60 m grid)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/area_panel.py" line="193"/>
        <source>with no data outside the polygon</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/area_panel.py" line="197"/>
        <source>Warning: {km2} km² is above the limit of {limit} km² set in the settings; processing will take long and need much disk space.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="83"/>
        <source>Tick a band group (Process tab) to run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="119"/>
        <source>digisat: Sentinel-2 super-resolution</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="150"/>
        <source>Area</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="151"/>
        <source>Data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="152"/>
        <source>Process</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="154"/>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="156"/>
        <source>Run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="157"/>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="160"/>
        <location filename="../digisat_plugin/gui/dock.py" line="366"/>
        <location filename="../digisat_plugin/gui/dock.py" line="643"/>
        <source>Ready</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="162"/>
        <source>Swipe compare</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="165"/>
        <source>Side by side</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="169"/>
        <source>Composite</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="184"/>
        <source>Help (user guide, offline)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="186"/>
        <source>Documentation online (README)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="322"/>
        <source>Choose a local product (SAFE folder or .zip, or a band folder)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="356"/>
        <source>the worker's Python ({python}) lacks {modules}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="363"/>
        <source>; click 'Install packages' above</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="364"/>
        <source>Before the first run: {why}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="365"/>
        <source>Before the first run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="383"/>
        <source>{job} needs {modules} in the worker's Python ({python}): click 'Install packages' (top of the dock) or set another Python in Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="408"/>
        <source>repairing the Python environment in {folder}: {packages}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="409"/>
        <source>installing the Python environment in {folder}: {packages}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="416"/>
        <source>Installed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="419"/>
        <source>installed in {folder}: {versions}; Run works now (no restart needed)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="426"/>
        <source>Installation failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="427"/>
        <source>installation cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="442"/>
        <source>removed the Python environment {folder}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="455"/>
        <source>search: draw an area of interest first (Area tab)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="474"/>
        <source>Searching…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="475"/>
        <source>searching {source} {url} {start}..{end}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="486"/>
        <source>Search failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="490"/>
        <source>Search cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="495"/>
        <location filename="../digisat_plugin/gui/search_panel.py" line="302"/>
        <source>{n} scenes found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="552"/>
        <source>digisat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="552"/>
        <source>{name} is the result of the same product, area and bands, made before. Replace it (its layers are taken out of the project)?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="590"/>
        <source>bands: tick at least one band group (Process tab); the 10 m bands alone are only copied</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="611"/>
        <source>started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="617"/>
        <source>cancelling…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="627"/>
        <source>Starting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="652"/>
        <source>Working</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="685"/>
        <source>Done in {seconds} s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="686"/>
        <source>done: {path} ({width} x {height} px, {bands} bands, {seconds} s on {device})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="690"/>
        <source>uncertainty layer: {path} (expected absolute error per pixel, in the enhanced layer's units)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="695"/>
        <source>{title}: enhanced layer added</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="753"/>
        <source>Failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="759"/>
        <source>Cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="761"/>
        <source>cancelled: no new output was kept; the earlier result is back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="763"/>
        <source>cancelled: no output was kept</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/dock.py" line="826"/>
        <source>side by side: this QGIS cannot open another map view</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/process_panel.py" line="70"/>
        <source>20 m bands</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/process_panel.py" line="71"/>
        <source>60 m bands</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/process_panel.py" line="79"/>
        <source>Measure quality</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/process_panel.py" line="81"/>
        <source>Uncertainty layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/process_panel.py" line="83"/>
        <source>Zoom to the result</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/process_panel.py" line="91"/>
        <source>automatic</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/process_panel.py" line="92"/>
        <source> px</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/process_panel.py" line="100"/>
        <source>10 m bands (B02 B03 B04 B08) are always kept as delivered.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/process_panel.py" line="108"/>
        <location filename="../digisat_plugin/gui/process_panel.py" line="165"/>
        <source>Output folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/process_panel.py" line="109"/>
        <source>Device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/process_panel.py" line="110"/>
        <source>Tile size (10 m px)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/process_panel.py" line="112"/>
        <source>Consistency of the enhanced bands with the delivered ones, in the log.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/process_panel.py" line="118"/>
        <source>Tick at least one band group: with none, nothing is super-resolved.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/process_panel.py" line="125"/>
        <source>Install packages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/process_panel.py" line="148"/>
        <source>Super-resolved to 10 m: {bands}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/process_panel.py" line="155"/>
        <source>Missing in the worker's Python environment: {modules}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/search_panel.py" line="68"/>
        <source>Area cloud %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/search_panel.py" line="68"/>
        <source>Cloud %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/search_panel.py" line="68"/>
        <source>Date (UTC)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/search_panel.py" line="68"/>
        <source>Product</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/search_panel.py" line="68"/>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/search_panel.py" line="68"/>
        <source>Tile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/search_panel.py" line="108"/>
        <source>Search a catalogue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/search_panel.py" line="109"/>
        <location filename="../digisat_plugin/gui/search_panel.py" line="166"/>
        <source>Local product</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/search_panel.py" line="113"/>
        <location filename="../digisat_plugin/gui/search_panel.py" line="139"/>
        <source>Search</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/search_panel.py" line="119"/>
        <location filename="../digisat_plugin/gui/settings_panel.py" line="41"/>
        <source>the service's default URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/search_panel.py" line="152"/>
        <source>Source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/search_panel.py" line="153"/>
        <source>URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/search_panel.py" line="154"/>
        <source>Login</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/search_panel.py" line="156"/>
        <source>From</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/search_panel.py" line="157"/>
        <source>To</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/search_panel.py" line="158"/>
        <source>Max cloud</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/search_panel.py" line="159"/>
        <source>Level</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/search_panel.py" line="168"/>
        <source>SAFE folder, SAFE .zip or a folder of band GeoTIFFs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/search_panel.py" line="169"/>
        <source>Folder…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/search_panel.py" line="170"/>
        <source>Zip…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/search_panel.py" line="245"/>
        <source>SAFE folder or band folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/search_panel.py" line="250"/>
        <source>Sentinel-2 product</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/search_panel.py" line="251"/>
        <source>SAFE zip (*.zip)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/search_panel.py" line="296"/>
        <source>percent of the area not clear in the scene classification (SCL)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/search_panel.py" line="298"/>
        <source>no scene classification: the tile's cloud only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/search_panel.py" line="298"/>
        <source>scene classification not read: {why}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/search_panel.py" line="303"/>
        <source>No scene found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/search_panel.py" line="335"/>
        <source>no quick-look for this scene</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/search_panel.py" line="355"/>
        <source>The scene's quick-look around the searched area (outlined in yellow)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/search_panel.py" line="363"/>
        <source>The scene's quick-look (the whole tile)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/series_panel.py" line="23"/>
        <source>Time series</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/series_panel.py" line="27"/>
        <source>Ticked: Run super-resolves every scene from the search's start date to the end date below that passes the cloud limits, one 10 m raster per date, and loads them as one group animated by the Temporal Controller (View &gt; Panels &gt; Temporal Controller)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/series_panel.py" line="33"/>
        <source>Last day of the series (included); the first is the search's start date</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/series_panel.py" line="35"/>
        <source>Spectral indices per date at 10 m, comma-separated: NDVI, NDRE, NDMI, NBR, NBR2, NDWI, MNDWI, NDBI, EVI, SAVI (empty: none)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/series_panel.py" line="41"/>
        <source>Leave out scenes with more cloud than this over the area itself (from the scene classification, STAC L2A); 100 %: keep all</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/series_panel.py" line="43"/>
        <source>Written to &lt;output folder&gt;/series_&lt;start&gt;_&lt;end&gt;_&lt;key&gt;; a rerun skips the dates done.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/series_panel.py" line="45"/>
        <source>The folder also holds series.json: dates, tiles, files, scene ids and cloud</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/series_panel.py" line="47"/>
        <source>Until</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/series_panel.py" line="48"/>
        <source>Indices</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/series_panel.py" line="49"/>
        <source>Max. cloud over the area</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/series_panel.py" line="111"/>
        <source>time series {start} .. {end} started -&gt; {folder}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/series_panel.py" line="126"/>
        <source>time series: no date could be made</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/series_panel.py" line="137"/>
        <source>Done: {n} dates</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/series_panel.py" line="138"/>
        <source>time series: {n} dates ({done} made, {skipped} already done) in the group {group}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/settings_panel.py" line="43"/>
        <source>sentinel-2-c1-l2a (L2A) / sentinel-2-l1c (L1C)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/settings_panel.py" line="44"/>
        <source>The STAC collection searched, e.g. the older sentinel-2-l2a; empty: the level's default collection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/settings_panel.py" line="49"/>
        <source> km²</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/settings_panel.py" line="52"/>
        <source>the networks shipped with the plugin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/settings_panel.py" line="53"/>
        <source>Logins for the Copernicus Data Space and DHuS are kept in the QGIS authentication manager (Data tab, Login); only their id is saved here. Every setting is saved as soon as it changes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/settings_panel.py" line="58"/>
        <source>STAC URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/settings_panel.py" line="59"/>
        <source>STAC collection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/settings_panel.py" line="60"/>
        <source>Data Space URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/settings_panel.py" line="61"/>
        <source>DHuS URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/settings_panel.py" line="62"/>
        <source>Warn above</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/settings_panel.py" line="63"/>
        <source>Model folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/settings_panel.py" line="88"/>
        <source>Worker's Python environment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/settings_panel.py" line="89"/>
        <source>The networks and the catalogue clients run in this Python, not in QGIS's own</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/settings_panel.py" line="91"/>
        <source>the digisat environment (advanced: an existing Python)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/settings_panel.py" line="94"/>
        <source> s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/settings_panel.py" line="95"/>
        <source>a new process per run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/settings_panel.py" line="99"/>
        <source>every core</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/settings_panel.py" line="104"/>
        <source>Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/settings_panel.py" line="105"/>
        <source>Install / Repair</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/settings_panel.py" line="106"/>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/settings_panel.py" line="111"/>
        <source>Worker Python</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/settings_panel.py" line="112"/>
        <source>Keep an idle worker</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/settings_panel.py" line="113"/>
        <source>CPU threads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/settings_panel.py" line="116"/>
        <source>Environment folder: {folder} - click Refresh for details</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/settings_panel.py" line="117"/>
        <source>(none)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/settings_panel.py" line="122"/>
        <source>Environment folder: {folder}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/settings_panel.py" line="125"/>
        <source>Size: {mb} MB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/settings_panel.py" line="127"/>
        <source>Not installed (Install / Repair builds it)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/settings_panel.py" line="132"/>
        <source>Worker Python: {problem}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/settings_panel.py" line="134"/>
        <source>Worker Python: {python} (Python {version}, prefix {prefix})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/settings_panel.py" line="136"/>
        <source>Packages: {packages}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/settings_panel.py" line="137"/>
        <source>missing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/summary.py" line="28"/>
        <source>{n} bands ({first}…{last})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/summary.py" line="66"/>
        <source>date ?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/summary.py" line="66"/>
        <location filename="../digisat_plugin/gui/summary.py" line="91"/>
        <source>level ?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/summary.py" line="69"/>
        <location filename="../digisat_plugin/gui/summary.py" line="93"/>
        <source>tile {tile}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/summary.py" line="71"/>
        <source>reads {w} x {h} px ({km2} km²)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/summary.py" line="72"/>
        <source>local: nothing to fetch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/summary.py" line="74"/>
        <source>note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/summary.py" line="98"/>
        <source>reads the whole tile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/summary.py" line="101"/>
        <source>reads about {w} x {h} px ({km2} km²)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/summary.py" line="103"/>
        <source>fetches {bands}: the area and a 240 m margin of each</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/summary.py" line="105"/>
        <source>fetches the band files {bands}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/summary.py" line="109"/>
        <source>fetches the whole product ({size})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/swipe.py" line="78"/>
        <source>enhanced</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/swipe.py" line="78"/>
        <source>original</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="17"/>
        <source>Fetch (when a catalogue scene is picked) and super-resolve in the background; the task shows in QGIS's task manager</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="19"/>
        <source>Stop the running job; no partial output file is kept</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="20"/>
        <source>Swipe compare: the enhanced layer left of a divider you drag, the original right of it (click again to stop)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="22"/>
        <source>Side by side: a second map view of the original, kept in step with the main map (click again to close it)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="24"/>
        <source>Help (the user guide shipped with the plugin, the README online) and About digisat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="25"/>
        <source>Band composite of the latest result, on both its layers with the same stretch; the first one shows bands the networks sharpened</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="27"/>
        <source>What the dock is doing; the progress bar is in QGIS's task manager and every message in the message log, tab 'digisat'</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="31"/>
        <source>Drag a rectangle on the map: only this area (plus the networks' margin) is read</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="32"/>
        <source>Click the vertices on the map; right click or double click to close the polygon</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="33"/>
        <source>Use the map's current extent as the area</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="34"/>
        <source>A raster or vector layer whose extent (or features) gives the area</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="35"/>
        <source>Use only the selected features of the vector layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="36"/>
        <source>Use the chosen layer's extent, or its (selected) features as a polygon</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="37"/>
        <source>Remove the area: the whole product is processed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="38"/>
        <source>Type or paste the area's box: xmin, ymin, xmax, ymax (commas or spaces) in the CRS below; Enter uses it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="40"/>
        <source>The CRS the typed coordinates are in (metres for UTM, degrees for EPSG:4326)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="41"/>
        <source>Use the typed box as the area</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="42"/>
        <source>Polygon areas: keep only the pixels inside the polygon (no data outside) or the whole bounding box</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="46"/>
        <source>Find scenes over the area in a catalogue (STAC, Copernicus Data Space, DHuS)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="47"/>
        <source>Use a Sentinel-2 product already on disk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="48"/>
        <source>Catalogue to search: STAC (no account), Copernicus Data Space or a DHuS hub (login)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="49"/>
        <source>The service's address; empty: its default (Settings)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="50"/>
        <source>Login from the QGIS authentication manager (Data Space, DHuS); never saved as text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="51"/>
        <source>First acquisition day (UTC) searched</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="52"/>
        <source>Last acquisition day (UTC) searched</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="53"/>
        <source>Largest cloud cover of the whole tile, in percent, for a scene to be listed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="54"/>
        <source>L2A: surface reflectance (bottom of atmosphere); L1C: top-of-atmosphere reflectance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="55"/>
        <source>Search the catalogue over the area between the dates</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="56"/>
        <source>Scenes found, newest first; pick one to fetch and super-resolve it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="57"/>
        <source>A SAFE folder, a SAFE .zip or a folder of band GeoTIFFs (B02.tif ...)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="58"/>
        <source>Choose a SAFE folder or a folder of band files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="59"/>
        <source>Choose a zipped SAFE product (read in place, never unpacked)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="62"/>
        <source>Super-resolve B05 B06 B07 B8A B11 B12 from 20 m to 10 m (network net20)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="63"/>
        <source>Super-resolve B01 B09 from 60 m to 10 m (network net60; it reads the 20 m bands too)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="64"/>
        <source>Folder for &lt;product&gt;_&lt;key&gt;_enhanced.tif and ..._original.tif; the key stands for the area, bands and mask, so another request never overwrites a result (the same one asks)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="66"/>
        <source>Choose the output folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="67"/>
        <source>Where the networks run: auto (a GPU when ONNX Runtime has a GPU provider), cpu or gpu; with gpu, Install packages adds ONNX Runtime's GPU build (CUDA on Linux, DirectML on Windows; CoreML is part of macOS's)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="70"/>
        <source>Side of the square tiles the area is processed in, in 10 m pixels (0: automatic); smaller tiles need less memory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="72"/>
        <source>&lt;p&gt;Also write and load, hidden above the result, the expected error of every enhanced pixel, in the enhanced layer's units (reflectance), one band per band, one layer per date of a time series. Mask the pixels above a threshold before computing an index (Help, &lt;i&gt;Uncertainty layer&lt;/i&gt;).&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="76"/>
        <source>After the run, average each enhanced band back to its own 20 m / 60 m grid and compare with the delivered band (RMSE in the log)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="78"/>
        <source>After each run, move the map to the new result</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="79"/>
        <source>Install the packages the worker needs (ONNX Runtime and the catalogue clients, about 80 MB) into the digisat environment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="83"/>
        <source>STAC API address (default: Earth Search)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="84"/>
        <source>Copernicus Data Space OData address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="85"/>
        <source>DHuS hub address (required for the DHuS source)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="86"/>
        <source>Warn when the area is larger than this, in km²</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="87"/>
        <source>Folder of trained networks (net20/, net60/); empty: the networks shipped with the plugin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="89"/>
        <source>Advanced: an existing Python with GDAL and ONNX Runtime for the worker; empty: the digisat environment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="91"/>
        <source>How long an idle worker is kept so the networks load once, in seconds (0: a new process per run)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="93"/>
        <source>CPU threads the networks use in the worker (0: every core); fewer leave QGIS responsive on a laptop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="95"/>
        <source>Look at the worker's Python environment again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="96"/>
        <source>Build the digisat environment again (pip install of the plugin's runtime list)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="97"/>
        <source>Delete the digisat environment's folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="110"/>
        <source>What: a catalogue scene or a local product</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="110"/>
        <source>Where: the area to process</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="111"/>
        <source>How: bands, output folder, device, tile size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/gui/tooltips.py" line="112"/>
        <source>Service addresses, networks, the worker's Python environment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/core/definitions.py" line="51"/>
        <source>STAC API (Earth Search, no account)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/core/definitions.py" line="52"/>
        <source>Copernicus Data Space Ecosystem (account)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../digisat_plugin/core/definitions.py" line="53"/>
        <source>DHuS hub (sentinelsat, account)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
